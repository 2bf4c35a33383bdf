/**
 * The row-norm plan cache (src/ops/row-norm/plan.ts), on a fake device: a repeated call reuses its
 * plan; anything that changes the kernel, its uniform or its variant gets another (-0 apart from
 * 0, a given operand, a tuning entry added or changed); a forced variant is never cached; and a
 * plan whose uniform buffer the normalizer has let go binds a live one again.
 */
import { describe, expect, test } from 'vitest';
import { snapshotLimits, type KernelContext } from '../../src/core/context.js';
import { OwnedResources, UNIFORM_CACHE_SIZE } from '../../src/core/resources.js';
import { Usage } from '../../src/core/operands.js';
import { encodeRowNorm } from '../../src/ops/row-norm/encode.js';
import { resolveRowNormOptions, type RowNormConfig } from '../../src/ops/row-norm/options.js';
import { rowNormPlan, type RowNormPresence } from '../../src/ops/row-norm/plan.js';
import { profileDevice, type RowNormVariant } from '../../src/ops/row-norm/variant.js';
import { fakeDevice } from '../core/fake-device.js';

function setup() {
  const fake = fakeDevice();
  const ctx: KernelContext = {
    device: fake.device,
    limits: snapshotLimits(fake.device.limits),
    resources: new OwnedResources(fake.device),
    profile: profileDevice(fake.device, { vendor: 'test', architecture: 'gpu' }),
    tuning: { version: 1, entries: {} },
  };
  return { fake, ctx };
}

const NONE: RowNormPresence = { gamma: false, beta: false, bias: false, sum: false, mean: false, rstd: false };
const config = (options: Record<string, unknown> = {}): RowNormConfig => resolveRowNormOptions('layerNorm', { rows: 8, cols: 256, ...options }, 'encode');
const plan = (ctx: KernelContext, c = config(), present = NONE, forced?: RowNormVariant) => rowNormPlan(ctx, 'layerNorm', c, present, forced, false);

describe('rowNormPlan', () => {
  test('a repeated call gets the same plan, also after calls of another shape', () => {
    const { ctx } = setup();
    const a = plan(ctx);
    expect(plan(ctx, config())).toBe(a);
    const b = plan(ctx, config({ rows: 9 }));
    expect(b).not.toBe(a);
    expect(plan(ctx, config())).toBe(a);
    expect(plan(ctx, config({ rows: 9 }))).toBe(b);
    // The plan cache is per normalizer.
    expect(plan(setup().ctx)).not.toBe(a);
  });

  test('what changes the kernel or its uniform changes the plan', () => {
    const { ctx } = setup();
    const base = plan(ctx);
    const zeroOffset = rowNormPlan(ctx, 'rmsNorm', resolveRowNormOptions('rmsNorm', { rows: 8, cols: 256, gamma: {}, gammaOffset: 0 }, 'encode'), { ...NONE, gamma: true }, undefined, false);
    const negativeZero = rowNormPlan(ctx, 'rmsNorm', resolveRowNormOptions('rmsNorm', { rows: 8, cols: 256, gamma: {}, gammaOffset: -0 }, 'encode'), { ...NONE, gamma: true }, undefined, false);
    expect(negativeZero).not.toBe(zeroOffset);
    expect(Object.is(negativeZero.phases[0]!.constants.GAMMA_OFFSET, -0)).toBe(true);
    expect(plan(ctx, config({ epsilon: 1e-3 })).uniform.epsilon).toBe(1e-3);
    expect(plan(ctx, config(), { ...NONE, beta: true }).phases[0]!.constants.HAS_BETA).toBe(true);
    expect(base.phases[0]!.constants.HAS_BETA).toBe(false);
    expect(plan(ctx, config({ epsilonMode: 'add-to-std' })).phases[0]!.constants.EPS_ADD_TO_STD).toBe(true);
    expect(rowNormPlan(ctx, 'layerNorm', config(), NONE, undefined, true)).not.toBe(base);
  });

  test('a tuning entry added or changed for the shape replaces the plan', () => {
    const { ctx } = setup();
    const rule = plan(ctx);
    const tuned: RowNormVariant = { reduction: 'workgroup', vec4: true, workgroupSize: 64, threadsPerRow: 64, cachedChunks: 1 };
    expect(rule.variant).not.toEqual(tuned);
    (ctx.tuning.entries as Record<string, unknown>)[rule.tuningKey] = { ...tuned, ms: 1 };
    const after = plan(ctx);
    expect(after.variant).toEqual(tuned);
    expect(plan(ctx)).toBe(after);
    const retuned: RowNormVariant = { ...tuned, workgroupSize: 32, threadsPerRow: 32, cachedChunks: 2 };
    (ctx.tuning.entries as Record<string, unknown>)[rule.tuningKey] = { ...retuned, ms: 1 };
    expect(plan(ctx).variant).toEqual(retuned);
    delete (ctx.tuning.entries as Record<string, unknown>)[rule.tuningKey];
    expect(plan(ctx).variant).toEqual(rule.variant);
  });

  test('a forced variant is checked and planned on every call, never cached', () => {
    const { ctx } = setup();
    const forced: RowNormVariant = { reduction: 'workgroup', vec4: true, workgroupSize: 32, threadsPerRow: 32, cachedChunks: 0 };
    const a = plan(ctx, config(), NONE, forced);
    expect(a.variant).toEqual(forced);
    expect(plan(ctx, config(), NONE, forced)).not.toBe(a);
    expect(plan(ctx).variant).not.toEqual(forced);
  });
});

describe('encodeRowNorm with a cached plan', () => {
  test('binds a live uniform again after the normalizer let the plan’s one go', () => {
    const { fake, ctx } = setup();
    const buffer = (size: number) => fake.device.createBuffer({ size, usage: Usage.STORAGE });
    const operands = { x: buffer(8 * 256 * 4), y: buffer(8 * 256 * 4), rows: 8, cols: 256 };
    const encoder = fake.device.createCommandEncoder();
    encodeRowNorm(ctx, encoder, 'layerNorm', operands);
    const first = plan(ctx).params!.buffer;
    expect(ctx.resources.owns(first)).toBe(true);
    // Enough other uniform contents to push the plan's buffer out of the bounded cache.
    const shader = plan(ctx).shader;
    for (let i = 0; i <= UNIFORM_CACHE_SIZE; i++) ctx.resources.uniform(shader, 'params', { rows: 100 + i, cols: 256, epsilon: 1e-5, residual_rows: 100 + i });
    expect(ctx.resources.owns(first)).toBe(false);
    encodeRowNorm(ctx, encoder, 'layerNorm', operands);
    const again = plan(ctx).params!.buffer;
    expect(again).not.toBe(first);
    expect(ctx.resources.owns(again)).toBe(true);
    const bound = fake.bindGroups.at(-1)!.entries as GPUBindGroupEntry[];
    expect(bound.map((e) => (e.resource as GPUBufferBinding).buffer)).toContain(again);
  });
  test('the several-rows layout rotates its chunk order where rows alias in L1 (CPU adapters), and only there', () => {
    const fake = fakeDevice();
    const ctx: KernelContext = {
      device: fake.device,
      limits: snapshotLimits(fake.device.limits),
      resources: new OwnedResources(fake.device),
      profile: { name: 'mesa/software', cpu: true, subgroups: true, maxWorkgroupSize: 256, subgroupMinSize: 8 },
      tuning: { version: 1, entries: {} },
    };
    const rotation = (cols: number, dtype: 'f32' | 'f16' = 'f32', rows = 256) => plan(ctx, config({ rows, cols, dtype })).phases[0]!.constants.ROTATE_CHUNKS;
    expect(plan(ctx, config({ rows: 256, cols: 1024 })).variant.rowsPerInvocation).toBe(4);
    expect(rotation(1024)).toBe(4);
    expect(rotation(1024, 'f16')).toBe(8);
    // Absent, not 0, where it does not apply: those calls keep their pipeline key.
    expect(rotation(768)).toBe(4);
    expect(rotation(1000)).toBeUndefined();
    expect(rotation(768, 'f16')).toBeUndefined();
    expect(rotation(1024, 'f32', 16)).toBeUndefined(); // one row per invocation below 128 rows
    expect(rotation(1024, 'f32', 256)).toBe(4);
    const gpu = setup().ctx;
    expect(plan(gpu, config({ rows: 256, cols: 1024 })).phases[0]!.constants.ROTATE_CHUNKS).toBeUndefined();
  });
});
