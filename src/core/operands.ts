/**
 * GPU operands: what callers pass (`GPUBuffer` or `GPUBufferBinding`), resolved to exact byte
 * ranges and checked against WebGPU's rules before anything is encoded, so a mistake surfaces as a
 * `NormError` naming the argument instead of an asynchronous validation error on the device.
 */
import type { BufferRange } from './bindings.js';
import { NormError, describe, describeBuffer } from './errors.js';

/** A whole buffer, or a range of one (`offset`/`size` in bytes). */
export type Operand = GPUBuffer | GPUBufferBinding;

/** WebGPU usage bits, as literals so the library runs where no `GPUBufferUsage` global exists. */
export const Usage = {
  MAP_READ: 0x0001,
  MAP_WRITE: 0x0002,
  COPY_SRC: 0x0004,
  COPY_DST: 0x0008,
  UNIFORM: 0x0040,
  STORAGE: 0x0080,
  QUERY_RESOLVE: 0x0200,
} as const;

/** The device limits operand checks depend on. */
export interface OperandLimits {
  readonly minStorageBufferOffsetAlignment: number;
  readonly maxStorageBufferBindingSize: number;
}

/** A resolved operand plus whether the kernel writes it (for aliasing checks). */
export interface NamedRange extends BufferRange {
  readonly argument: string;
  readonly writes: boolean;
}

/**
 * Whether `value` is a GPUBuffer that `createBindGroup` will take. Where the platform defines the
 * `GPUBuffer` interface (browsers; Dawn in Node once its globals are installed, as
 * `requestNormDevice` does), only an instance of it passes: an object that merely looks like one
 * (a wrapper, a mock, a buffer-shaped plain object) would get past every check here and then make
 * `createBindGroup` throw a TypeError. Without that global (a device from Dawn with no globals,
 * or a test double) the shape is all there is to check.
 *
 * @example
 * ```ts
 * isGpuBuffer(device.createBuffer({ size: 16, usage: GPUBufferUsage.STORAGE })); // true
 * isGpuBuffer({ size: 16, usage: 0x80, mapState: 'unmapped', getMappedRange() {} }); // false in a browser
 * ```
 */
export function isGpuBuffer(value: unknown): value is GPUBuffer {
  if (typeof value !== 'object' || value === null) return false;
  const platform = (globalThis as { GPUBuffer?: unknown }).GPUBuffer;
  if (typeof platform === 'function') return value instanceof platform;
  const b = value as GPUBuffer;
  return typeof b.getMappedRange === 'function' && typeof b.size === 'number' && typeof b.usage === 'number' && typeof b.mapState === 'string';
}

/**
 * What is read of a buffer once and kept: its `usage` and `size`, which never change, and whether
 * it is known to stay unmapped. Each read is a call into the implementation, on every operand of
 * every encode call, and `mapState` was the dearest of them. A buffer without MAP_READ or
 * MAP_WRITE (every STORAGE buffer: WebGPU allows MAP_READ only beside COPY_DST, MAP_WRITE only
 * beside COPY_SRC) can be mapped only at creation, so once it is seen unmapped it stays so.
 * A mappable buffer has its `mapState` read on every call.
 */
interface BufferFacts {
  readonly usage: number;
  readonly size: number;
  unmappedForGood: boolean;
}

const facts = new WeakMap<GPUBuffer, BufferFacts>();

function factsOf(buffer: GPUBuffer): BufferFacts {
  let f = facts.get(buffer);
  if (!f) facts.set(buffer, (f = { usage: buffer.usage, size: buffer.size, unmappedForGood: false }));
  return f;
}

/** `describe`, plus what is inside a binding-shaped object (`{ buffer: Object }`). */
function describeOperand(operand: unknown): string {
  const inner = typeof operand === 'object' && operand !== null && 'buffer' in operand ? (operand as { buffer: unknown }).buffer : undefined;
  return inner === undefined ? describe(operand) : `{ buffer: ${describe(inner)} }`;
}

/**
 * Resolves `operand` to the range `[offset, offset + bytes)` the kernel binds, after checking
 * usage, alignment, size and mapping state.
 *
 * @example
 * ```ts
 * const r = resolveOperand({ buffer, offset: 256 }, 'x', rows * cols * 4, device.limits, false);
 * ```
 */
export function resolveOperand(
  operand: unknown,
  argument: string,
  bytes: number,
  limits: OperandLimits,
  writes: boolean,
): NamedRange {
  let buffer: GPUBuffer;
  let offset = 0;
  let size: number | undefined;
  if (isGpuBuffer(operand)) {
    buffer = operand;
  } else if (typeof operand === 'object' && operand !== null && isGpuBuffer((operand as GPUBufferBinding).buffer)) {
    const b = operand as GPUBufferBinding;
    buffer = b.buffer;
    offset = b.offset ?? 0;
    size = b.size;
  } else {
    throw new NormError('invalid-argument', `expected a GPUBuffer (one createBuffer returned) or { buffer, offset?, size? } with one, got ${describeOperand(operand)}`, argument);
  }

  if (!Number.isInteger(offset) || offset < 0) {
    throw new NormError('invalid-argument', `offset must be a non-negative integer, got ${describe(offset)}`, argument);
  }
  if (offset % limits.minStorageBufferOffsetAlignment !== 0) {
    throw new NormError(
      'misaligned-offset',
      `offset ${offset} is not a multiple of minStorageBufferOffsetAlignment (${limits.minStorageBufferOffsetAlignment})`,
      argument,
    );
  }
  const f = factsOf(buffer);
  const { usage, size: bufferSize } = f;
  if ((usage & Usage.STORAGE) === 0) {
    throw new NormError('buffer-usage', `${describeBuffer(buffer)} lacks GPUBufferUsage.STORAGE`, argument);
  }
  if (!f.unmappedForGood) {
    const state = buffer.mapState;
    if (state !== 'unmapped') throw new NormError('invalid-argument', `${describeBuffer(buffer)} is ${state}; unmap it before use`, argument);
    f.unmappedForGood = (usage & (Usage.MAP_READ | Usage.MAP_WRITE)) === 0;
  }
  const available = size ?? bufferSize - offset;
  if (size !== undefined && (!Number.isInteger(size) || size < 0)) {
    throw new NormError('invalid-argument', `size must be a non-negative integer, got ${describe(size)}`, argument);
  }
  if (size !== undefined && offset + size > bufferSize) {
    throw new NormError('buffer-too-small', `range offset ${offset} + size ${size} exceeds the buffer's ${bufferSize} bytes`, argument);
  }
  if (available < bytes) {
    throw new NormError(
      'buffer-too-small',
      `needs ${bytes} bytes at offset ${offset}, but ${size === undefined ? 'the buffer has' : 'the range is'} ${Math.max(0, available)}`,
      argument,
    );
  }
  if (bytes > limits.maxStorageBufferBindingSize) {
    throw new NormError(
      'limit-exceeded',
      `${bytes} bytes exceed the device's maxStorageBufferBindingSize (${limits.maxStorageBufferBindingSize}); split the rows into several calls`,
      argument,
    );
  }
  return { argument, buffer, offset, size: bytes, writes };
}

/**
 * Rejects outputs that alias other operands. WebGPU validates usage per buffer, not per range: a
 * buffer bound writable (`storage`) and also read-only in one dispatch is a validation error even
 * at disjoint ranges, so an output may not share a buffer with any input. Outputs may share a
 * buffer with each other (WebGPU allows several writable bindings of one buffer) as long as their
 * ranges do not overlap, since overlapping writes would race.
 */
export function checkAliasing(ranges: readonly NamedRange[]): void {
  for (let i = 0; i < ranges.length; i++) {
    for (let j = i + 1; j < ranges.length; j++) {
      const a = ranges[i]!;
      const b = ranges[j]!;
      if (!a.writes && !b.writes) continue;
      if (a.buffer !== b.buffer) continue;
      // Blame the output: a read-only operand is never the one to move. Of two outputs, the later.
      const [out, other] = a.writes && !b.writes ? [a, b] : [b, a];
      const where = `bytes [${out.offset}, ${out.offset + out.size}) and [${other.offset}, ${other.offset + other.size}) of ${describeBuffer(out.buffer)}`;
      if (!other.writes) {
        throw new NormError(
          'aliasing',
          `shares a buffer with the input ${other.argument} (${where}); WebGPU forbids writing a buffer that the same dispatch reads, even at disjoint ranges: use separate buffers`,
          out.argument,
        );
      }
      if (a.offset < b.offset + b.size && b.offset < a.offset + a.size) {
        throw new NormError('aliasing', `overlaps the output ${other.argument} (${where}); outputs must not overlap each other`, out.argument);
      }
    }
  }
}

/**
 * Resolves the named operands of one call: `take(name, bytes, writes, required)` checks
 * `options[name]` with {@link resolveOperand} (a missing required one is an `invalid-argument`
 * naming it) and remembers the range, so `ranges` can go to {@link checkAliasing} at the end.
 *
 * @example
 * ```ts
 * const ops = operandResolver(options, device.limits, 'layerNorm');
 * const x = ops.take('x', bytes, false, true)!;
 * const gamma = ops.take('gamma', cols * 4, false, false);
 * checkAliasing(ops.ranges);
 * ```
 */
export function operandResolver<O extends object>(options: O, limits: OperandLimits, op: string) {
  const ranges: NamedRange[] = [];
  const take = (name: keyof O & string, bytes: number, writes: boolean, required: boolean): NamedRange | undefined => {
    const value = options[name];
    if (value === undefined) {
      if (required) throw new NormError('invalid-argument', `${op} needs this operand`, name);
      return undefined;
    }
    const r = resolveOperand(value, name, bytes, limits, writes);
    ranges.push(r);
    return r;
  };
  return { ranges, take };
}
