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
