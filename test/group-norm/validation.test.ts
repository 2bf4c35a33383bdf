/**
 * GroupNorm / InstanceNorm option validation in every form (CPU reference, typed arrays, encode):
 * unknown option keys are refused naming the key and the nearest known one, keys of a sibling op
 * get their specific reason, and every key the option types declare is accepted. The typed-array
 * and encode forms run on a normalizer over a fake device (no GPU).
 */
import { describe, expect, test } from 'vitest';
import { checkGroupNormOptions } from '../../src/ops/group-norm/options.js';
import { FORMS, callForm, expectRefusal, refusal, type Form } from '../channel/forms.js';

type Op = 'groupNorm' | 'instanceNorm';
const OPS_: readonly Op[] = ['groupNorm', 'instanceNorm'];
const SHAPE = { batch: 2, channels: 8, spatial: 9, layout: 'NCHW' } as const;
const ELEMENTS = 2 * 8 * 9;
const base = (op: Op) => (op === 'groupNorm' ? { ...SHAPE, groups: 4 } : { ...SHAPE });
const call = (form: Form, op: Op, extra: Record<string, unknown>, operands: readonly string[] = []) =>
  refusal(() => callForm(form, op, ELEMENTS, { ...base(op), ...extra }, operands));
const method = (form: Form, op: Op) => (form === 'encode' ? `encode${op[0]!.toUpperCase()}${op.slice(1)}` : op);
const cases = FORMS.flatMap((form) => OPS_.map((op) => [form, op] as const));

describe.each(cases)('%s %s', (form, op) => {
  test.each([
    ['eps', 'epsilon', 1e-3],
    ['epsilonmode', 'epsilonMode', 'add-to-std'],
    ['unbaised', 'unbiased', true],
    ['Gamma', 'gamma', new Float32Array(8)],
  ])('unknown key %s is refused, suggesting %s', async (key, near, value) => {
    expectRefusal(await call(form, op, { [key]: value }), 'invalid-argument', key, `unknown option of ${method(form, op)}`, `did you mean '${near}'?`);
  });

  test('a misspelled key is named before the shape it leaves incomplete', async () => {
    // Without the key check this would be "layout: expected 'NCHW' or 'NHWC', got undefined".
    expectRefusal(await call(form, op, { layout: undefined, layot: 'NCHW' }), 'invalid-argument', 'layot', "did you mean 'layout'?");
  });

  test('a key no op takes gets the list of known options', async () => {
    expectRefusal(await call(form, op, { colour: 'red' }), 'invalid-argument', 'colour', 'known options: batch, channels, spatial, layout, dtype');
  });

  test("BatchNorm's running statistics are refused with the reason", async () => {
    expectRefusal(await call(form, op, { runningMean: new Float32Array(8) }), 'invalid-argument', 'runningMean', `${op} normalizes with the statistics of x`, 'batchNormInference');
  });

  test("the row norms' shape keys are refused with the reason", async () => {
    expectRefusal(await call(form, op, { cols: 9 }), 'invalid-argument', 'cols', `${op} takes batch, channels, spatial and layout`, 'layerNorm');
  });

  test('an explicit undefined counts as absent, for unknown keys too', async () => {
    expect(await call(form, op, { eps: undefined })).toBeUndefined();
  });
});

describe.each(FORMS)('%s form', (form) => {
  test("groupNorm: 'group' suggests 'groups'", async () => {
    expectRefusal(await call(form, 'groupNorm', { group: 8 }), 'invalid-argument', 'group', "did you mean 'groups'?");
  });

  test('instanceNorm refuses groups: one group per channel', async () => {
    const e = await call(form, 'instanceNorm', { groups: 8 });
    expectRefusal(e, 'invalid-argument', 'groups');
    expect((e as Error).message).toBe('groups: instanceNorm has one group per channel; use groupNorm for groups');
  });

  test('every declared key is accepted', async () => {
    const params = { dtype: 'f32', epsilon: 1e-3, epsilonMode: 'add-to-std', unbiased: true };
    const perChannel = form === 'encode' ? {} : { gamma: new Float32Array(8), beta: new Float32Array(8) };
    const operands = form === 'encode' ? ['gamma', 'beta', 'mean', 'rstd'] : [];
    expect(await call(form, 'groupNorm', { ...params, ...perChannel }, operands)).toBeUndefined();
    expect(await call(form, 'instanceNorm', { ...params, ...perChannel }, operands)).toBeUndefined();
  });
});

describe('the typed-array forms keep the encode form apart', () => {
  test.each(['cpu', 'typed'] as const)('%s: x is the first argument, outputs are returned', async (form) => {
    expectRefusal(await call(form, 'groupNorm', { x: new Float32Array(ELEMENTS) }), 'invalid-argument', 'x', 'groupNorm(x, options) takes x as its first argument');
    expectRefusal(await call(form, 'instanceNorm', { mean: new Float32Array(16) }), 'invalid-argument', 'mean', 'instanceNorm(x, options) returns mean', 'encodeInstanceNorm');
  });
});

describe('defaults come from the op table', () => {
  test.each(OPS_)('%s: epsilon 1e-5, inside-sqrt, biased', (op) => {
    expect(checkGroupNormOptions(op, base(op), 'operands')).toMatchObject({ epsilon: 1e-5, epsilonMode: 'inside-sqrt', unbiased: false, dtype: 'f32' });
  });
  test('instanceNorm has one group per channel', () => {
    expect(checkGroupNormOptions('instanceNorm', SHAPE, 'arrays')).toMatchObject({ groups: 8, channelsPerGroup: 1, groupSize: 9 });
  });
});
