/**
 * GroupNorm / InstanceNorm `activation: 'silu'`: the reference's SiLU (finite for any finite
 * input, no overflow), that the fused form equals SiLU applied to the plain result in float64
 * and is rounded once, and the refusals of the option in every form.
 */
import { describe, expect, test } from 'vitest';
import * as cpu from '../../src/cpu.js';
import { silu } from '../../src/ops/group-norm/reference.js';
import { checkGroupNormOptions } from '../../src/ops/group-norm/options.js';
import { f16ToF32, f32ToF16, toF16Array } from '../../src/core/f16.js';
import { makeChannelAffine, makeChannelInput, type ChannelShape } from '../shared/channel-data.js';
import { FORMS, callForm, expectRefusal, refusal } from '../channel/forms.js';

describe('silu', () => {
  test('v · sigmoid(v), without overflow at large |v|', () => {
    expect(silu(0)).toBe(0);
    expect(silu(1)).toBeCloseTo(1 / (1 + Math.exp(-1)), 15);
    expect(silu(-1)).toBeCloseTo(-1 / (1 + Math.exp(1)), 15);
    expect(silu(100)).toBe(100);
    expect(silu(-100)).toBeCloseTo(-100 * Math.exp(-100), 50);
    expect(Object.is(silu(-1000), -0)).toBe(true);
    expect(silu(1000)).toBe(1000);
    expect(silu(Number.MAX_VALUE)).toBe(Number.MAX_VALUE);
    expect(Number.isNaN(silu(NaN))).toBe(true);
  });
});

describe('GroupNorm / InstanceNorm with activation silu', () => {
  for (const layout of ['NCHW', 'NHWC'] as const) {
    test(`${layout}: y = silu(the plain result), mean and rstd unchanged`, () => {
      const shape: ChannelShape = { batch: 2, channels: 6, spatial: 9, layout };
      const x = makeChannelInput('offset', shape, { per: 'group', groups: 3 }, 12);
      const options = { ...shape, groups: 3, ...makeChannelAffine(6, 12) };
      const plain = cpu.groupNormF64(x, options);
      const fused = cpu.groupNormF64(x, { ...options, activation: 'silu' });
      expect(Array.from(fused.y)).toEqual(Array.from(plain.y, silu));
      expect(Array.from(fused.mean)).toEqual(Array.from(plain.mean));
      expect(Array.from(fused.rstd)).toEqual(Array.from(plain.rstd));
      const none = cpu.instanceNormF64(x, { ...shape, activation: 'none' });
      expect(Array.from(none.y)).toEqual(Array.from(cpu.instanceNormF64(x, shape).y));
    });
  }

  test('f16: silu in float64, rounded once', () => {
    const shape: ChannelShape = { batch: 1, channels: 4, spatial: 7, layout: 'NHWC' };
    const bits = toF16Array(makeChannelInput('normal', shape, { per: 'group', groups: 4 }, 5));
    const r = cpu.instanceNorm(bits, { ...shape, activation: 'silu' });
    const f = cpu.instanceNormF64(Float32Array.from(bits, f16ToF32), { ...shape, activation: 'silu' });
    expect(Array.from(r.y)).toEqual(Array.from(f.y, (v) => f32ToF16(v)));
  });

  test("the default is 'none'", () => {
    expect(checkGroupNormOptions('groupNorm', { batch: 1, channels: 4, spatial: 4, groups: 2, layout: 'NCHW' }, 'arrays').activation).toBe('none');
  });
});

describe.each(FORMS)('activation validation, %s form', (form) => {
  const shape = { batch: 1, channels: 4, spatial: 4, layout: 'NCHW' };
  test.each(['groupNorm', 'instanceNorm'] as const)('%s: an unknown activation is refused, naming the two', async (op) => {
    const options = { ...shape, ...(op === 'groupNorm' ? { groups: 2 } : {}) };
    expectRefusal(await refusal(() => callForm(form, op, 16, { ...options, activation: 'relu' })), 'invalid-argument', 'activation', "'none' or 'silu'");
    expectRefusal(await refusal(() => callForm(form, op, 16, { ...options, activation: 'swish' })), 'invalid-argument', 'activation', "spelled 'silu'");
    expect(await refusal(() => callForm(form, op, 16, { ...options, activation: 'silu' }))).toBeUndefined();
  });
});
