/**
 * Variant selection, validation and labels, and the autotuning table: pure functions of an
 * adapter profile and a shape, so they are tested in Node without a GPU.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { NormError } from '../../src/core/errors.js';
import { candidateVariants, loadTuning, saveTuning, STORAGE_KEY, tuningKey } from '../../src/ops/row-norm/tuning.js';
import { checkVariant, chunkRotation, describeVariant, MAX_CACHED_CHUNKS, MAX_SPLIT_ROW, profileDevice, selectVariant, type AdapterProfile, type RowNormVariant } from '../../src/ops/row-norm/variant.js';

const swiftshader: AdapterProfile = { name: 'google/swiftshader', cpu: true, subgroups: true, maxWorkgroupSize: 256, subgroupMinSize: 4 };
const nvidia: AdapterProfile = { name: 'nvidia/ampere', cpu: false, subgroups: true, maxWorkgroupSize: 256, subgroupMinSize: 32 };
const oldGpu: AdapterProfile = { name: 'intel/gen-9', cpu: false, subgroups: false, maxWorkgroupSize: 256, subgroupMinSize: 4 };

function fakeDevice(features: string[], maxInvocations = 256, maxSizeX = 256): GPUDevice {
  return { features: new Set(features), limits: { maxComputeInvocationsPerWorkgroup: maxInvocations, maxComputeWorkgroupSizeX: maxSizeX } } as unknown as GPUDevice;
}

describe('profileDevice', () => {
  test('recognizes CPU implementations of WebGPU from the adapter info', () => {
    for (const info of [{ vendor: 'google', architecture: 'swiftshader' }, { description: 'llvmpipe (LLVM 15.0.6, 256 bits)' }, { description: 'Microsoft Basic Render Driver' }]) {
      expect(profileDevice(fakeDevice([]), info as unknown as GPUAdapterInfo).cpu).toBe(true);
    }
    expect(profileDevice(fakeDevice([]), { vendor: 'nvidia', architecture: 'ampere' } as GPUAdapterInfo).cpu).toBe(false);
    expect(profileDevice(fakeDevice([]), { vendor: 'x', isFallbackAdapter: true } as unknown as GPUAdapterInfo).cpu).toBe(true);
  });

  test('1024-invocation devices (lavapipe, most GPUs): the rule stays within 256, a forced variant may use 1024', () => {
    const p = profileDevice(fakeDevice(['subgroups'], 1024, 1024), { description: 'llvmpipe (LLVM 15.0.6, 256 bits)', subgroupMinSize: 8 } as unknown as GPUAdapterInfo);
    expect(p).toMatchObject({ cpu: true, maxWorkgroupSize: 256, maxForcedWorkgroupSize: 1024, subgroupMinSize: 8 });
    const v = { reduction: 'subgroup', vec4: true, workgroupSize: 1024, threadsPerRow: 1024, cachedChunks: 1 } as const;
    expect(checkVariant(v, 4096, 'f32', p)).toEqual(v);
    expect(() => checkVariant({ ...v, workgroupSize: 2048, threadsPerRow: 2048 }, 4096, 'f32', p)).toThrow(/power of two <= 1024/);
    expect(() => checkVariant(v, 4096, 'f32', { ...p, maxForcedWorkgroupSize: undefined })).toThrow(/power of two <= 256/);
  });

  test('subgroups need the device feature; sizes and limits are read', () => {
    const p = profileDevice(fakeDevice(['subgroups'], 192), { vendor: 'amd', architecture: 'rdna-3', subgroupMinSize: 32 } as unknown as GPUAdapterInfo);
    expect(p).toEqual({ name: 'amd/rdna-3', cpu: false, subgroups: true, maxWorkgroupSize: 128, maxForcedWorkgroupSize: 128, subgroupMinSize: 32 });
    expect(profileDevice(fakeDevice([]), {} as GPUAdapterInfo)).toMatchObject({ name: 'unknown/unknown', subgroups: false, subgroupMinSize: 4 });
  });
});

describe('selectVariant', () => {
  const pick = (p: AdapterProfile, rows: number, cols: number, dtype: 'f32' | 'f16' = 'f32') => selectVariant(p, { rows, cols, dtype });

  test('CPU adapters: four rows per invocation from 32 rows, workgroups shrinking to keep >= 8 of them', () => {
    expect(pick(swiftshader, 4096, 1024)).toEqual({ reduction: 'workgroup', vec4: true, workgroupSize: 16, threadsPerRow: 1, cachedChunks: 0, rowsPerInvocation: 4 });
    expect(pick(swiftshader, 512, 768)).toMatchObject({ workgroupSize: 16, rowsPerInvocation: 4 });
    expect(pick(swiftshader, 256, 768)).toMatchObject({ workgroupSize: 8, rowsPerInvocation: 4 });
    expect(pick(swiftshader, 128, 1001)).toMatchObject({ vec4: false, threadsPerRow: 1, workgroupSize: 4, rowsPerInvocation: 4 });
    expect(pick({ ...swiftshader, maxWorkgroupSize: 8 }, 4096, 1024)).toMatchObject({ workgroupSize: 8, rowsPerInvocation: 4 });
  });

  test('CPU adapters: the four-rows workgroups never shrink below the subgroup size (the lanes of a SIMD step)', () => {
    const llvmpipe: AdapterProfile = { name: 'mesa/software', cpu: true, subgroups: true, maxWorkgroupSize: 256, subgroupMinSize: 8 };
    expect(pick(llvmpipe, 128, 768)).toMatchObject({ workgroupSize: 8, rowsPerInvocation: 4 });
    expect(pick(llvmpipe, 255, 1024, 'f16')).toMatchObject({ workgroupSize: 8, rowsPerInvocation: 4 });
    expect(pick(llvmpipe, 256, 768)).toMatchObject({ workgroupSize: 8, rowsPerInvocation: 4 });
    expect(pick(llvmpipe, 512, 768)).toMatchObject({ workgroupSize: 16, rowsPerInvocation: 4 });
    // A CPU adapter with 16-wide SIMD keeps 16 even at 128 rows; one whose limits allow less gets its limit.
    expect(pick({ ...llvmpipe, subgroupMinSize: 16 }, 128, 768)).toMatchObject({ workgroupSize: 16 });
    expect(pick({ ...llvmpipe, maxWorkgroupSize: 4 }, 4096, 768)).toMatchObject({ workgroupSize: 4 });
    // SwiftShader's 4 lanes: unchanged, down to 4.
    expect(pick(swiftshader, 128, 768)).toMatchObject({ workgroupSize: 4 });
  });

  test('CPU adapters: four rows per invocation down to 32 rows (in workgroups of 4, or the subgroup size); one row per invocation for fewer rows of at most 16 elements', () => {
    expect(pick(swiftshader, 100, 768)).toEqual({ reduction: 'workgroup', vec4: true, workgroupSize: 4, threadsPerRow: 1, cachedChunks: 0, rowsPerInvocation: 4 });
    expect(pick(swiftshader, 32, 4096)).toMatchObject({ workgroupSize: 4, rowsPerInvocation: 4 });
    expect(pick(swiftshader, 33, 13)).toMatchObject({ vec4: false, workgroupSize: 4, rowsPerInvocation: 4 });
    expect(pick({ ...swiftshader, subgroupMinSize: 8 }, 64, 768)).toMatchObject({ workgroupSize: 8, rowsPerInvocation: 4 });
    expect(pick(swiftshader, 5, 13)).toEqual({ reduction: 'workgroup', vec4: false, workgroupSize: 16, threadsPerRow: 1, cachedChunks: 0 });
    expect(pick(swiftshader, 31, 16)).toEqual({ reduction: 'workgroup', vec4: true, workgroupSize: 16, threadsPerRow: 1, cachedChunks: 0 });
    expect(pick(swiftshader, 31, 17)).toMatchObject({ reduction: 'subgroup', threadsPerRow: 4 });
  });

  test('CPU adapters, decode: one subgroup per row (no barrier), or a tree team without subgroups', () => {
    expect(pick(swiftshader, 1, 4096)).toEqual({ reduction: 'subgroup', vec4: true, workgroupSize: 4, threadsPerRow: 4, cachedChunks: 0 });
    expect(pick({ ...swiftshader, subgroups: false }, 1, 4096)).toMatchObject({ reduction: 'workgroup', workgroupSize: 16, threadsPerRow: 16 });
  });

  test('GPUs: narrow rows get a subgroup each, wide rows a workgroup; registers hold up to 8 chunks', () => {
    expect(pick(nvidia, 128, 512)).toEqual({ reduction: 'subgroup', vec4: true, workgroupSize: 32, threadsPerRow: 32, cachedChunks: 4 });
    expect(pick(nvidia, 128, 8)).toMatchObject({ workgroupSize: 2, threadsPerRow: 2 });
    expect(pick(nvidia, 512, 4096)).toEqual({ reduction: 'subgroup', vec4: true, workgroupSize: 256, threadsPerRow: 256, cachedChunks: 4 });
    expect(pick(oldGpu, 128, 768)).toEqual({ reduction: 'workgroup', vec4: true, workgroupSize: 64, threadsPerRow: 64, cachedChunks: 3 });
    expect(pick(oldGpu, 128, 256)).toEqual({ reduction: 'workgroup', vec4: true, workgroupSize: 128, threadsPerRow: 32, cachedChunks: 2 });
  });

  test('GPUs: fewer than 64 rows of 16384+ are split into segments until ~128 workgroups, segments >= 2048 wide', () => {
    expect(pick(nvidia, 1, 16384)).toEqual({ reduction: 'subgroup', vec4: true, workgroupSize: 256, threadsPerRow: 256, cachedChunks: 0, splitRow: 8 });
    expect(pick(nvidia, 1, 65536)).toMatchObject({ splitRow: 32, threadsPerRow: 256 });
    expect(pick(nvidia, 16, 65536)).toMatchObject({ splitRow: 8 });
    expect(pick(nvidia, 63, 65536)).toMatchObject({ splitRow: 4 });
    expect(pick(nvidia, 1, 1 << 22)).toMatchObject({ splitRow: 128 });
    expect(pick(oldGpu, 2, 16385, 'f16')).toEqual({ reduction: 'workgroup', vec4: false, workgroupSize: 256, threadsPerRow: 256, cachedChunks: 0, splitRow: 8 });
    expect(pick(nvidia, 64, 65536).splitRow).toBeUndefined();
    expect(pick(nvidia, 1, 16380).splitRow).toBeUndefined();
  });

  test('CPU adapters split only a lone row of 65536+, in two subgroup teams', () => {
    expect(pick(swiftshader, 1, 65536)).toEqual({ reduction: 'subgroup', vec4: true, workgroupSize: 4, threadsPerRow: 4, cachedChunks: 0, splitRow: 2 });
    expect(pick(swiftshader, 1, 1 << 20, 'f16')).toMatchObject({ vec4: false, splitRow: 2 });
    for (const [rows, cols] of [[1, 4096], [1, 16384], [1, 65532], [2, 65536], [4, 65536], [31, 65536], [64, 65536]]) {
      expect(pick(swiftshader, rows!, cols!).splitRow).toBeUndefined();
    }
    expect(pick({ ...swiftshader, subgroups: false }, 1, 65536).splitRow).toBeUndefined();
  });

  test('f16 and widths that are not multiples of 4 never use vec4 access', () => {
    expect(pick(nvidia, 64, 768, 'f16').vec4).toBe(false);
    expect(pick(nvidia, 64, 770).vec4).toBe(false);
  });

  test('every selected variant passes checkVariant, for many shapes and profiles', () => {
    for (const p of [swiftshader, nvidia, oldGpu, { ...nvidia, maxWorkgroupSize: 64 }]) {
      for (const rows of [1, 7, 31, 32, 1000, 70000]) {
        for (const cols of [1, 3, 4, 13, 768, 1001, 4096, 16384, 65539, 262147]) {
          for (const dtype of ['f32', 'f16'] as const) {
            const v = selectVariant(p, { rows, cols, dtype });
            expect(checkVariant(v, cols, dtype, p)).toEqual(v);
          }
        }
      }
    }
  });
});

describe('chunkRotation (several rows per invocation: rows that alias in L1)', () => {
  const llvmpipe: AdapterProfile = { name: 'mesa/software', cpu: true, subgroups: true, maxWorkgroupSize: 256, subgroupMinSize: 8 };

  test('rotates by one 64-byte line where at least as many rows as L1 ways share an offset modulo 4 KiB', () => {
    // 8 lanes x 4 rows: rows of 4 and 16 KiB all start on one offset, 2 KiB rows on two (16
    // each), 3 KiB rows on four (8 each).
    expect(chunkRotation(llvmpipe, 4, 1024, 'f32')).toBe(4);
    expect(chunkRotation(llvmpipe, 4, 4096, 'f32')).toBe(4);
    expect(chunkRotation(llvmpipe, 4, 512, 'f32')).toBe(4);
    expect(chunkRotation(llvmpipe, 4, 768, 'f32')).toBe(4);
    // f16 chunks are 8 bytes: 8 of them to a line.
    expect(chunkRotation(llvmpipe, 4, 1024, 'f16')).toBe(8);
    // 4 lanes x 4 rows: 16 rows on one offset at 4 KiB, 8 at 2 KiB.
    expect(chunkRotation(swiftshader, 4, 1024, 'f32')).toBe(4);
    expect(chunkRotation(swiftshader, 4, 512, 'f32')).toBe(4);
    // Two rows per invocation: 16 rows per step on llvmpipe, 8 on SwiftShader.
    expect(chunkRotation(llvmpipe, 2, 1024, 'f32')).toBe(4);
    expect(chunkRotation(swiftshader, 2, 1024, 'f32')).toBe(4);
  });

  test('no rotation where rows spread over the sets, for one row per invocation, or on a GPU', () => {
    // Fewer than 8 rows per offset: 3 KiB rows on SwiftShader (4), 1.5 KiB f16 rows on llvmpipe
    // (4), two rows per invocation on 3 KiB rows on SwiftShader (2); odd widths fall on many.
    expect(chunkRotation(swiftshader, 4, 768, 'f32')).toBe(0);
    expect(chunkRotation(llvmpipe, 4, 768, 'f16')).toBe(0);
    expect(chunkRotation(swiftshader, 2, 768, 'f32')).toBe(0);
    expect(chunkRotation(llvmpipe, 4, 1025, 'f32')).toBe(0);
    expect(chunkRotation(llvmpipe, 4, 1000, 'f32')).toBe(0);
    // Packed f16 rows of odd width follow one another mid-word: 2047 halves are 4094 bytes, not 4 KiB.
    expect(chunkRotation(llvmpipe, 4, 2047, 'f16')).toBe(0);
    expect(chunkRotation(llvmpipe, 4, 2048, 'f16')).toBe(8);
    expect(chunkRotation(llvmpipe, 1, 1024, 'f32')).toBe(0);
    expect(chunkRotation(nvidia, 4, 1024, 'f32')).toBe(0);
  });
});

describe('checkVariant', () => {
  const ok: RowNormVariant = { reduction: 'workgroup', vec4: true, workgroupSize: 64, threadsPerRow: 64, cachedChunks: 2 };
  const bad: [string, Partial<RowNormVariant> | null, string][] = [
    ['not an object', null, 'variant'],
    ['unknown reduction', { reduction: 'warp' as 'subgroup' }, 'variant.reduction'],
    ['workgroup size not a power of two', { workgroupSize: 48, threadsPerRow: 16 }, 'variant.workgroupSize'],
    ['workgroup size over the device limit', { workgroupSize: 512, threadsPerRow: 512 }, 'variant.workgroupSize'],
    ['threadsPerRow above workgroupSize', { threadsPerRow: 128 }, 'variant.threadsPerRow'],
    ['threadsPerRow zero', { threadsPerRow: 0 }, 'variant.threadsPerRow'],
    ['vec4 not a boolean', { vec4: 1 as unknown as boolean }, 'variant.vec4'],
    ['cachedChunks above the register array', { cachedChunks: MAX_CACHED_CHUNKS + 1 }, 'variant.cachedChunks'],
    ['cachedChunks fractional', { cachedChunks: 1.5 }, 'variant.cachedChunks'],
    ['subgroup reduction with several rows per workgroup', { reduction: 'subgroup', threadsPerRow: 16 }, 'variant.reduction'],
    ['rowsPerInvocation not 1, 2 or 4', { threadsPerRow: 1, cachedChunks: 0, rowsPerInvocation: 3 as 2 }, 'variant.rowsPerInvocation'],
    ['several rows per invocation with a team', { rowsPerInvocation: 4, cachedChunks: 0 }, 'variant.rowsPerInvocation'],
    ['several rows per invocation with register caching', { threadsPerRow: 1, rowsPerInvocation: 2 }, 'variant.rowsPerInvocation'],
    ['splitRow zero', { cachedChunks: 0, splitRow: 0 }, 'variant.splitRow'],
    ['splitRow fractional', { cachedChunks: 0, splitRow: 2.5 }, 'variant.splitRow'],
    ['splitRow above the maximum', { cachedChunks: 0, splitRow: MAX_SPLIT_ROW + 1 }, 'variant.splitRow'],
    ['splitRow not a number', { cachedChunks: 0, splitRow: '4' as unknown as number }, 'variant.splitRow'],
    ['split rows with register caching', { cachedChunks: 2, splitRow: 4 }, 'variant.splitRow'],
    ['split rows with several rows per invocation', { threadsPerRow: 1, cachedChunks: 0, rowsPerInvocation: 2, splitRow: 4 }, 'variant.splitRow'],
  ];
  for (const [what, patch, argument] of bad) {
    test(`rejects: ${what}`, () => {
      const v = patch === null ? null : { ...ok, ...patch };
      expect(() => checkVariant(v, 768, 'f32', nvidia)).toThrow(NormError);
      try {
        checkVariant(v, 768, 'f32', nvidia);
      } catch (e) {
        expect((e as NormError).code).toBe('invalid-argument');
        expect((e as NormError).argument).toBe(argument);
      }
    });
  }
  test('vec4 needs f32 and cols % 4 === 0; subgroup needs the feature', () => {
    expect(() => checkVariant(ok, 770, 'f32', nvidia)).toThrow(/cols % 4/);
    expect(() => checkVariant(ok, 768, 'f16', nvidia)).toThrow(/f32 storage/);
    expect(() => checkVariant({ ...ok, reduction: 'subgroup' }, 768, 'f32', oldGpu)).toThrow(/subgroups/);
    expect(checkVariant({ ...ok, reduction: 'subgroup', threadsPerRow: 1 }, 768, 'f32', oldGpu).threadsPerRow).toBe(1);
  });
  test('splitRow: 1 is the default and is not echoed; 2..MAX_SPLIT_ROW are kept, segments need not divide the row', () => {
    expect(checkVariant({ ...ok, cachedChunks: 0, splitRow: 1 }, 768, 'f32', nvidia)).toEqual({ ...ok, cachedChunks: 0 });
    expect(checkVariant({ ...ok, vec4: false, cachedChunks: 0, splitRow: 7 }, 13, 'f16', nvidia)).toMatchObject({ vec4: false, splitRow: 7 });
    expect(checkVariant({ ...ok, vec4: false, threadsPerRow: 1, cachedChunks: 0, splitRow: MAX_SPLIT_ROW }, 3, 'f32', nvidia).splitRow).toBe(MAX_SPLIT_ROW);
    expect(checkVariant({ ...ok, reduction: 'subgroup', cachedChunks: 0, splitRow: 3 }, 768, 'f32', nvidia)).toMatchObject({ reduction: 'subgroup', splitRow: 3 });
  });
  test('rowsPerInvocation: 1 is the default and is not echoed; 2 and 4 are kept', () => {
    expect(checkVariant({ ...ok, rowsPerInvocation: 1 }, 768, 'f32', nvidia)).toEqual(ok);
    expect(checkVariant({ ...ok, threadsPerRow: 1, cachedChunks: 0, rowsPerInvocation: 4 }, 768, 'f32', nvidia).rowsPerInvocation).toBe(4);
  });
});

test('describeVariant labels every field', () => {
  expect(describeVariant({ reduction: 'subgroup', vec4: true, workgroupSize: 256, threadsPerRow: 256, cachedChunks: 4 })).toBe('wg256/t256/vec4/subgroup/reg4');
  expect(describeVariant({ reduction: 'subgroup', vec4: false, workgroupSize: 16, threadsPerRow: 1, cachedChunks: 0 })).toBe('wg16/t1/scalar/none/reg0');
  expect(describeVariant({ reduction: 'workgroup', vec4: true, workgroupSize: 16, threadsPerRow: 1, cachedChunks: 0, rowsPerInvocation: 4 })).toBe('wg16/t1/vec4/none/reg0/x4');
  expect(describeVariant({ reduction: 'subgroup', vec4: true, workgroupSize: 256, threadsPerRow: 256, cachedChunks: 0, splitRow: 8 })).toBe('wg256/t256/vec4/subgroup/reg0/split8');
  expect(describeVariant({ reduction: 'subgroup', vec4: true, workgroupSize: 256, threadsPerRow: 256, cachedChunks: 0, splitRow: 1 })).toBe('wg256/t256/vec4/subgroup/reg0');
});

describe('tuning table', () => {
  afterEach(() => {
    delete (globalThis as { localStorage?: unknown }).localStorage;
  });

  test('keys bucket rows and cols to powers of two and record vec4 eligibility', () => {
    expect(tuningKey(swiftshader, 'layerNorm', 'f32', 100, 768)).toBe('google/swiftshader|layerNorm|f32|128x1024v');
    expect(tuningKey(swiftshader, 'layerNorm', 'f32', 128, 1001)).toBe('google/swiftshader|layerNorm|f32|128x1024s');
    expect(tuningKey(nvidia, 'addRmsNorm', 'f16', 1, 4096)).toBe('nvidia/ampere|addRmsNorm|f16|1x4096s');
  });

  test("tune() candidates start with the rule's own choice (lavapipe's subgroup-of-8 team is none of the others), without duplicates", () => {
    const lavapipe: AdapterProfile = { name: 'mesa/software', cpu: true, subgroups: true, maxWorkgroupSize: 256, maxForcedWorkgroupSize: 1024, subgroupMinSize: 8 };
    for (const [p, rows, cols] of [[lavapipe, 1, 768], [lavapipe, 1, 65536], [swiftshader, 2048, 768], [nvidia, 64, 4096]] as const) {
      const c = candidateVariants(p, { rows, cols, dtype: 'f32' });
      expect(c[0]).toEqual(selectVariant(p, { rows, cols, dtype: 'f32' }));
      expect(new Set(c.map(describeVariant)).size).toBe(c.length);
    }
    expect(candidateVariants(lavapipe, { rows: 1, cols: 768, dtype: 'f32' })[0]).toMatchObject({ reduction: 'subgroup', workgroupSize: 8, threadsPerRow: 8 });
  });

  test('candidates are distinct, valid for the shape, and include both reductions with subgroups', () => {
    const c = candidateVariants(nvidia, { rows: 64, cols: 768, dtype: 'f32' });
    expect(new Set(c.map(describeVariant)).size).toBe(c.length);
    for (const v of c) expect(checkVariant(v, 768, 'f32', nvidia)).toEqual(v);
    expect(c.some((v) => v.reduction === 'subgroup')).toBe(true);
    expect(candidateVariants(oldGpu, { rows: 64, cols: 768, dtype: 'f32' }).some((v) => v.reduction === 'subgroup')).toBe(false);
  });

  test('few wide rows add split-row candidates (segments of >= 1024 elements); many rows or narrow rows do not', () => {
    for (const p of [nvidia, oldGpu, swiftshader]) {
      const c = candidateVariants(p, { rows: 1, cols: 65536, dtype: 'f32' });
      expect(new Set(c.map(describeVariant)).size).toBe(c.length);
      for (const v of c) expect(checkVariant(v, 65536, 'f32', p)).toEqual(v);
      expect(c.filter((v) => v.splitRow).map((v) => v.splitRow)).toEqual(expect.arrayContaining([2, 4, 8, 16, 32]));
    }
    expect(candidateVariants(nvidia, { rows: 1, cols: 4096, dtype: 'f32' }).filter((v) => v.splitRow).map((v) => v.splitRow)).toEqual([2, 2, 4, 4]);
    expect(candidateVariants(nvidia, { rows: 64, cols: 65536, dtype: 'f32' }).some((v) => v.splitRow)).toBe(false);
    expect(candidateVariants(nvidia, { rows: 1, cols: 2048, dtype: 'f32' }).some((v) => v.splitRow)).toBe(false);
  });

  test('persists to localStorage and reads back; a broken or missing store gives an empty table', () => {
    const store = new Map<string, string>();
    (globalThis as { localStorage?: unknown }).localStorage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) };
    const table = { version: 1 as const, entries: { k: { reduction: 'workgroup' as const, vec4: true, workgroupSize: 16, threadsPerRow: 1, cachedChunks: 0, ms: 1.5 } } };
    expect(saveTuning(table)).toBe(true);
    expect(JSON.parse(store.get(STORAGE_KEY)!)).toEqual(table);
    expect(loadTuning()).toEqual(table);
    store.set(STORAGE_KEY, '{not json');
    expect(loadTuning()).toEqual({ version: 1, entries: {} });
    delete (globalThis as { localStorage?: unknown }).localStorage;
    expect(loadTuning()).toEqual({ version: 1, entries: {} });
    expect(saveTuning(table)).toBe(false);
  });
});
