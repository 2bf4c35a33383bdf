/**
 * BatchNorm option validation in every form (CPU reference, typed arrays, encode), inference and
 * batch statistics: unknown option keys are refused naming the key and the nearest known one, the
 * keys of the sibling op (and of GroupNorm) get their specific reason, and every key the option
 * types declare is accepted. The typed-array and encode forms run on a normalizer over a fake
 * device (no GPU).
 */
import { describe, expect, test } from 'vitest';
import { checkBatchNormInferenceOptions, checkBatchNormStatsOptions } from '../../src/ops/batch-norm/options.js';
import { FORMS, callForm, expectRefusal, refusal, type Form } from '../channel/forms.js';

type Op = 'batchNormInference' | 'batchNormStats';
const SHAPE = { batch: 2, channels: 3, spatial: 4, layout: 'NHWC' } as const;
const ELEMENTS = 2 * 3 * 4;
const running = () => ({ runningMean: new Float32Array(3), runningVar: new Float32Array(3).fill(1) });
/** A valid call: inference needs its running statistics (arrays, or buffers in the encode form). */
const call = (form: Form, op: Op, extra: Record<string, unknown>, operands: readonly string[] = []) => {
  const needs = op === 'batchNormInference' ? (form === 'encode' ? {} : running()) : {};
  const given = op === 'batchNormInference' && form === 'encode' ? ['runningMean', 'runningVar', ...operands] : op === 'batchNormStats' && form === 'encode' ? ['mean', 'var', ...operands] : operands;
  return refusal(() => callForm(form, op, ELEMENTS, { ...SHAPE, ...needs, ...extra }, given));
};
const method = (form: Form, op: Op) => (form === 'encode' ? `encode${op[0]!.toUpperCase()}${op.slice(1)}` : op);

describe.each(FORMS)('%s form', (form) => {
  test.each([
    ['batchNormInference', 'eps', 'epsilon', 1e-3],
    ['batchNormInference', 'runingMean', 'runningMean', new Float32Array(3)],
    ['batchNormInference', 'Beta', 'beta', new Float32Array(3)],
    ['batchNormStats', 'unbaised', 'unbiased', true],
    ['batchNormStats', 'chanels', 'channels', 3],
  ] as const)('%s: unknown key %s is refused, suggesting %s', async (op, key, near, value) => {
    expectRefusal(await call(form, op, { [key]: value }), 'invalid-argument', key, `unknown option of ${method(form, op)}`, `did you mean '${near}'?`);
  });

  test.each(['batchNormInference', 'batchNormStats'] as const)('%s: a misspelled key is named before the shape it leaves incomplete', async (op) => {
    expectRefusal(await call(form, op, { layout: undefined, layot: 'NHWC' }), 'invalid-argument', 'layot', "did you mean 'layout'?");
  });

  test.each([
    ['batchNormInference', 'groups', 2, 'batchNormInference normalizes per channel; use groupNorm for groups'],
    ['batchNormInference', 'unbiased', true, 'unbiased is an option of batchNormStats'],
    ['batchNormInference', 'mean', new Float32Array(3), 'as runningMean and runningVar'],
    ['batchNormStats', 'groups', 3, 'batchNormStats computes one statistic per channel; use groupNorm for groups'],
    ['batchNormStats', 'epsilon', 1e-3, 'batchNormStats returns the variance itself'],
    ['batchNormStats', 'epsilonMode', 'add-to-std', 'batchNormStats returns the variance itself'],
    ['batchNormStats', 'gamma', new Float32Array(3), 'gamma is an option of batchNormInference'],
    ['batchNormStats', 'runningVar', new Float32Array(3), 'runningVar is an input of batchNormInference'],
    ['batchNormStats', 'rows', 6, 'batchNormStats takes batch, channels, spatial and layout'],
  ] as const)("%s: the sibling op's key %s is refused with the reason", async (op, key, value, says) => {
    expectRefusal(await call(form, op, { [key]: value }), 'invalid-argument', key, says);
  });

  test('batchNormInference: every declared key is accepted', async () => {
    const params = { dtype: 'f32', epsilon: 1e-3, epsilonMode: 'add-to-std' };
    if (form === 'encode') expect(await call(form, 'batchNormInference', params, ['gamma', 'beta'])).toBeUndefined();
    else expect(await call(form, 'batchNormInference', { ...params, gamma: new Float32Array(3), beta: new Float32Array(3) })).toBeUndefined();
  });

  test('batchNormStats: every declared key is accepted', async () => {
    expect(await call(form, 'batchNormStats', { dtype: 'f32', unbiased: true })).toBeUndefined();
  });
});

describe('the typed-array forms keep the encode form apart', () => {
  test.each(['cpu', 'typed'] as const)('%s: outputs are returned, x is the first argument', async (form) => {
    expectRefusal(await call(form, 'batchNormStats', { var: new Float32Array(3) }), 'invalid-argument', 'var', 'batchNormStats(x, options) returns var', 'encodeBatchNormStats');
    expectRefusal(await call(form, 'batchNormInference', { y: new Float32Array(ELEMENTS) }), 'invalid-argument', 'y', 'batchNormInference(x, options) returns y');
    expectRefusal(await call(form, 'batchNormStats', { x: new Float32Array(ELEMENTS) }), 'invalid-argument', 'x', 'takes x as its first argument');
  });

  test('encode: batchNormStats writes no y', async () => {
    expectRefusal(await call('encode', 'batchNormStats', {}, ['y']), 'invalid-argument', 'y', 'batchNormStats writes only mean and var');
  });
});

describe('defaults come from the op table', () => {
  test('batchNormInference: epsilon 1e-5, inside-sqrt', () => {
    expect(checkBatchNormInferenceOptions(SHAPE, 'operands')).toMatchObject({ epsilon: 1e-5, epsilonMode: 'inside-sqrt', dtype: 'f32' });
  });
  test('batchNormStats: biased', () => {
    expect(checkBatchNormStatsOptions(SHAPE, 'arrays')).toMatchObject({ unbiased: false, elements: ELEMENTS });
  });
});
