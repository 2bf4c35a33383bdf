/**
 * Non-buffers passed where a GPU buffer goes: every encode form of every op refuses them with a
 * NormError naming the operand (invalid-argument), never a TypeError from createBindGroup. The
 * typed-array and CPU forms refuse the same key as an encode-only operand, so each row checks all
 * three forms alike (runner: test/core/parity.ts).
 */
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { isGpuBuffer, resolveOperand, Usage } from '../../src/core/operands.js';
import { NormError } from '../../src/core/errors.js';
import { OPS, type OpName } from '../../src/ops/table.js';
import { parityTests, refuse, row, type ParityRow } from './parity.js';

/** Has every field resolveOperand reads, so only its type can tell it from a GPUBuffer. */
const bufferShaped = () => ({ size: 1 << 20, usage: Usage.STORAGE | Usage.COPY_SRC | Usage.COPY_DST, mapState: 'unmapped', label: 'impostor', getMappedRange() {}, destroy() {} });

/** Refused by their shape alone, with or without the platform's GPUBuffer interface. */
const NOT_BUFFERS: readonly [string, unknown][] = [
  ['{}', {}],
  ['{ buffer: {} }', { buffer: {} }],
  ['{ size: 16 }', { size: 16 }],
  ['an object with getMappedRange but no size', { getMappedRange() {}, usage: Usage.STORAGE, mapState: 'unmapped' }],
  ['an object with getMappedRange and size but no usage or mapState', { getMappedRange() {}, size: 1 << 20 }],
  ['a number', 64],
  ['a binding of an object with getMappedRange but no size', { buffer: { getMappedRange() {} } }],
];

const OP_NAMES = Object.keys(OPS) as OpName[];
const notBuffer = (name: string, value: unknown): ParityRow[] => OP_NAMES.map((op) => row(op, `x is ${name}`, { x: value }, refuse('invalid-argument', 'x')));

describe('without a GPUBuffer interface (Node, a test double): refused by shape', () => {
  parityTests(NOT_BUFFERS.flatMap(([name, value]) => notBuffer(name, value)));
});

describe('where the platform defines GPUBuffer: only its instances pass', () => {
  class GPUBuffer {}
  beforeAll(() => void vi.stubGlobal('GPUBuffer', GPUBuffer));
  afterAll(() => void vi.unstubAllGlobals());

  test('an instance passes; a buffer-shaped plain object, whole or in a binding, is refused naming the operand', () => {
    const real = Object.setPrototypeOf(bufferShaped(), GPUBuffer.prototype) as GPUBuffer;
    const limits = { minStorageBufferOffsetAlignment: 256, maxStorageBufferBindingSize: 1 << 20 };
    expect(isGpuBuffer(real)).toBe(true);
    expect(resolveOperand(real, 'x', 16, limits, false)).toMatchObject({ buffer: real, size: 16 });
    for (const impostor of [bufferShaped(), { buffer: bufferShaped() }]) {
      let err: unknown;
      try {
        resolveOperand(impostor, 'gamma', 16, limits, false);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(NormError);
      expect(err).toMatchObject({ code: 'invalid-argument', argument: 'gamma', message: expect.stringMatching(/^gamma: expected a GPUBuffer \(one createBuffer returned\)/) });
    }
  });

  parityTests([...notBuffer('a buffer-shaped plain object', bufferShaped()), ...notBuffer('a binding of a buffer-shaped plain object', { buffer: bufferShaped() })]);
});

describe('mapState is read until a buffer that cannot be mapped again is seen unmapped', () => {
  const limits = { minStorageBufferOffsetAlignment: 256, maxStorageBufferBindingSize: 1 << 20 };
  // With the platform's interface defined, telling a buffer needs no mapState read of its own.
  class GPUBuffer {}
  beforeAll(() => void vi.stubGlobal('GPUBuffer', GPUBuffer));
  afterAll(() => void vi.unstubAllGlobals());
  /** A buffer double whose mapState reads are counted and whose state the test sets. */
  function counted(usage: number, state: GPUBufferMapState) {
    const b = Object.setPrototypeOf({ ...bufferShaped(), usage, reads: 0, state }, GPUBuffer.prototype) as ReturnType<typeof bufferShaped> & { usage: number; reads: number; state: GPUBufferMapState };
    Object.defineProperty(b, 'mapState', { get: () => (b.reads++, b.state) });
    return b as typeof b & globalThis.GPUBuffer;
  }
  const refusedAs = (b: globalThis.GPUBuffer) => {
    try {
      resolveOperand(b, 'x', 16, limits, false);
    } catch (e) {
      return (e as NormError).message;
    }
    return undefined;
  };

  test('mapped at creation: refused while mapped; after unmap, accepted and not read again', () => {
    const b = counted(Usage.STORAGE | Usage.COPY_DST, 'mapped');
    expect(refusedAs(b)).toMatch(/is mapped; unmap it before use/);
    expect(refusedAs(b)).toMatch(/is mapped/);
    b.state = 'unmapped';
    const before = b.reads;
    expect(refusedAs(b)).toBeUndefined();
    expect(b.reads).toBe(before + 1);
    for (let i = 0; i < 3; i++) expect(resolveOperand(b, 'x', 16, limits, false).size).toBe(16);
    expect(b.reads).toBe(before + 1);
  });

  test('a buffer with MAP_READ or MAP_WRITE has mapState read on every call, and is refused once mapped', () => {
    for (const map of [Usage.MAP_READ, Usage.MAP_WRITE]) {
      const b = counted(Usage.STORAGE | map, 'unmapped');
      expect(refusedAs(b)).toBeUndefined();
      expect(refusedAs(b)).toBeUndefined();
      expect(b.reads).toBe(2);
      b.state = 'pending';
      expect(refusedAs(b)).toMatch(/is pending; unmap it before use/);
    }
  });
});
