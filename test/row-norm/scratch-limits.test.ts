/**
 * Split-row scratch against the device limits (issue #17): a split whose partials would not fit
 * one storage binding is never chosen by the rule or timed by tune(), a tuned entry that does not
 * fit falls back to the rule for that call, and a forced one is refused with `limit-exceeded`
 * before anything is created. On a fake device with lowered limits.
 */
import { afterEach, describe, expect, test, vi } from 'vitest';
import { elementStride } from '../../src/core/bindings.js';
import { NormError } from '../../src/core/errors.js';
import { Usage } from '../../src/core/operands.js';
import { createNormalizer } from '../../src/normalizer.js';
import { rowNormShader } from '../../src/ops/row-norm/shaders.js';
import { candidateVariants, tuningKey } from '../../src/ops/row-norm/tuning.js';
import { SPLIT_PARTIAL_BYTES, selectVariant, splitScratchBytes, type AdapterProfile, type RowNormVariant } from '../../src/ops/row-norm/variant.js';
import { fakeDevice } from '../core/fake-device.js';

/** x of 512 × 256 f32 is exactly the binding limit; splitRow 256 would need 2 MiB of partials. */
const LIMITS = { maxStorageBufferBindingSize: 512 << 10, maxBufferSize: 1 << 20 };
const ROWS = 512;
const COLS = 256;
const SPLIT_256: RowNormVariant = { reduction: 'workgroup', vec4: true, workgroupSize: 256, threadsPerRow: 256, cachedChunks: 0, splitRow: 256 };

const gpu: AdapterProfile = { name: 'test/gpu', cpu: false, subgroups: true, maxWorkgroupSize: 256, subgroupMinSize: 32 };
const swiftshader: AdapterProfile = { name: 'google/swiftshader', cpu: true, subgroups: true, maxWorkgroupSize: 256, subgroupMinSize: 4 };

async function setup(debug = false) {
  const fake = fakeDevice(LIMITS);
  const norm = await createNormalizer({ device: fake.device, tuning: false, debug });
  const bytes = ROWS * COLS * 4;
  const x = fake.device.createBuffer({ size: bytes, usage: Usage.STORAGE });
  const y = fake.device.createBuffer({ size: bytes, usage: Usage.STORAGE });
  return { fake, norm, x, y };
}

function refusal(fn: () => unknown): NormError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(NormError);
    return e as NormError;
  }
  throw new Error('expected a NormError');
}

afterEach(() => vi.restoreAllMocks());

describe('split-row scratch and the device limits', () => {
  test('the partials stride the selection rule assumes is the one every row-norm shader declares', () => {
    for (const fusedAdd of [false, true]) {
      for (const access of ['vec4', 'scalar', 'f16'] as const) {
        for (const reduction of ['workgroup', 'subgroup'] as const) {
          for (const out of ['f32', 'f16'] as const) expect(elementStride(rowNormShader(fusedAdd, access, reduction, out), 'main', 'partials')).toBe(SPLIT_PARTIAL_BYTES);
        }
      }
    }
    expect(splitScratchBytes(SPLIT_256, 32769)).toBe(32769 * 256 * 16);
    expect(splitScratchBytes({ ...SPLIT_256, splitRow: undefined }, 32769)).toBe(0);
  });

  test('the rule keeps rows whole where its split would not fit', () => {
    const tiny = { maxStorageBufferBindingSize: 256, maxBufferSize: 256 };
    // GPU rule: one row of 65536 is split in 32 (512 bytes of partials); CPU rule: in 2 (32 bytes).
    expect(selectVariant(gpu, { rows: 1, cols: 65536, dtype: 'f32' }).splitRow).toBe(32);
    expect(selectVariant(gpu, { rows: 1, cols: 65536, dtype: 'f32' }, tiny).splitRow).toBeUndefined();
    expect(selectVariant(swiftshader, { rows: 1, cols: 65536, dtype: 'f32' }, { maxStorageBufferBindingSize: 16, maxBufferSize: 16 })).toEqual({
      reduction: 'subgroup',
      vec4: true,
      workgroupSize: 4,
      threadsPerRow: 4,
      cachedChunks: 0,
    });
    // With room, the limits change nothing.
    expect(selectVariant(gpu, { rows: 1, cols: 65536, dtype: 'f32' }, LIMITS)).toEqual(selectVariant(gpu, { rows: 1, cols: 65536, dtype: 'f32' }));
  });

  test("tune()'s candidates leave out the splits that would not fit", () => {
    const shape = { rows: 32, cols: 65536, dtype: 'f32' } as const;
    const all = candidateVariants(gpu, shape);
    // 32 rows · 16 bytes · splitRow: 4 segments (2 KiB) fit 2 KiB, 8 and more do not.
    const fitting = candidateVariants(gpu, shape, { maxStorageBufferBindingSize: 2048, maxBufferSize: 2048 });
    expect(all.some((v) => (v.splitRow ?? 1) > 4)).toBe(true);
    // (The rule's own choice comes first, and the rule too keeps within the limits: order aside.)
    expect(fitting.map((v) => v.splitRow ?? 1).filter((s) => s > 1).sort()).toEqual([2, 2, 4, 4]);
    const labels = (vs: RowNormVariant[]) => vs.map((v) => JSON.stringify(v)).sort();
    expect(labels(fitting)).toEqual(labels(all.filter((v) => (v.splitRow ?? 1) <= 4)));
  });

  test('a forced split past the limits is refused with limit-exceeded before any buffer or bind group is created', async () => {
    const { fake, norm, x, y } = await setup();
    const [buffers, bindGroups] = [fake.buffers.length, fake.bindGroups.length];
    const e = refusal(() => norm.encodeLayerNorm(fake.device.createCommandEncoder(), { x, y, rows: ROWS, cols: COLS, variant: SPLIT_256 }));
    expect({ code: e.code, argument: e.argument }).toEqual({ code: 'limit-exceeded', argument: 'variant.splitRow' });
    expect(e.message).toContain(`${ROWS * 256 * 16} bytes`);
    expect(e.message).toContain('use fewer segments or split the rows');
    expect([fake.buffers.length, fake.bindGroups.length, fake.dispatches.length]).toEqual([buffers, bindGroups, 0]);
    // A split that fits runs.
    expect(norm.encodeLayerNorm(fake.device.createCommandEncoder(), { x, y, rows: ROWS, cols: COLS, variant: { ...SPLIT_256, splitRow: 2 } }).splitRow).toBe(2);
    expect(fake.validationErrors).toEqual([]);
  });

  test('an imported tuning entry whose split does not fit falls back to the rule, in both forms, with no refusal', async () => {
    const { fake, norm, x, y } = await setup();
    const key = tuningKey(norm.profile, 'layerNorm', 'f32', ROWS, COLS);
    norm.importTuning({ version: 1, entries: { [key]: { ...SPLIT_256, ms: 0.01 } } });
    const rule = selectVariant(norm.profile, { rows: ROWS, cols: COLS, dtype: 'f32' }, LIMITS);
    expect(norm.encodeLayerNorm(fake.device.createCommandEncoder(), { x, y, rows: ROWS, cols: COLS })).toEqual(rule);
    const result = await norm.layerNorm(new Float32Array(ROWS * COLS), { cols: COLS });
    expect(result.y).toHaveLength(ROWS * COLS);
    expect(fake.buffers.some((b) => b.label.includes('row-partials'))).toBe(false);
    expect(fake.validationErrors).toEqual([]);
    // On a device with room for its partials, the same entry is used as tuned.
    const fits = { maxStorageBufferBindingSize: 4 << 20, maxBufferSize: 8 << 20 };
    const roomy = fakeDevice(fits);
    const other = await createNormalizer({ device: roomy.device, tuning: false });
    other.importTuning({ version: 1, entries: { [tuningKey(other.profile, 'layerNorm', 'f32', ROWS, COLS)]: { ...SPLIT_256, ms: 0.01 } } });
    const xb = roomy.device.createBuffer({ size: ROWS * COLS * 4, usage: Usage.STORAGE });
    const yb = roomy.device.createBuffer({ size: ROWS * COLS * 4, usage: Usage.STORAGE });
    expect(other.encodeLayerNorm(roomy.device.createCommandEncoder(), { x: xb, y: yb, rows: ROWS, cols: COLS })).toEqual(SPLIT_256);
  });

  test('debug mode says when a tuned entry does not fit and the rule is used instead', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const quiet = await setup();
    quiet.norm.importTuning({ version: 1, entries: { [tuningKey(quiet.norm.profile, 'layerNorm', 'f32', ROWS, COLS)]: { ...SPLIT_256, ms: 0.01 } } });
    quiet.norm.encodeLayerNorm(quiet.fake.device.createCommandEncoder(), { x: quiet.x, y: quiet.y, rows: ROWS, cols: COLS });
    expect(warn).not.toHaveBeenCalled();
    const { fake, norm, x, y } = await setup(true);
    norm.importTuning({ version: 1, entries: { [tuningKey(norm.profile, 'layerNorm', 'f32', ROWS, COLS)]: { ...SPLIT_256, ms: 0.01 } } });
    norm.encodeLayerNorm(fake.device.createCommandEncoder(), { x, y, rows: ROWS, cols: COLS });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/tuned layerNorm variant .*split256 needs 2097152 bytes of scratch for 512 rows.*selection rule/);
  });
});
