/**
 * Native `shader-f16` access in the variant vocabulary: picked by the rule and the tuner only where
 * the device has the feature, refused with a specific NormError elsewhere, and labelled. Pure
 * functions, tested in Node without a GPU (the kernels themselves: test/node/f16-native.test.ts).
 */
import { describe, expect, test } from 'vitest';
import { NormError } from '../../src/core/errors.js';
import { candidateVariants, tuningKey } from '../../src/ops/row-norm/tuning.js';
import { checkVariant, describeVariant, profileDevice, selectVariant, type AdapterProfile, type RowNormVariant } from '../../src/ops/row-norm/variant.js';

const lavapipe: AdapterProfile = { name: 'mesa/software', cpu: true, subgroups: true, maxWorkgroupSize: 256, subgroupMinSize: 8, shaderF16: true };
const swiftshader: AdapterProfile = { name: 'google/swiftshader', cpu: true, subgroups: true, maxWorkgroupSize: 256, subgroupMinSize: 4 };
const gpuF16: AdapterProfile = { name: 'nvidia/ampere', cpu: false, subgroups: true, maxWorkgroupSize: 256, subgroupMinSize: 32, shaderF16: true };

function expectRefused(f: () => unknown, argument: string, message: RegExp) {
  let error: unknown;
  try {
    f();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(NormError);
  expect((error as NormError).code).toBe('invalid-argument');
  expect((error as NormError).argument).toBe(argument);
  expect((error as NormError).message).toMatch(message);
}

describe('native f16 variants', () => {
  test('profileDevice reports shader-f16 only when the device has it (absent otherwise)', () => {
    const device = (features: string[]) => ({ features: new Set(features), limits: { maxComputeInvocationsPerWorkgroup: 256, maxComputeWorkgroupSizeX: 256 } }) as unknown as GPUDevice;
    expect(profileDevice(device(['shader-f16']), {} as GPUAdapterInfo).shaderF16).toBe(true);
    expect('shaderF16' in profileDevice(device([]), {} as GPUAdapterInfo)).toBe(false);
  });

  test('the rule picks native f16 where the device has shader-f16 (vec4<f16> when cols % 4 === 0, the same layout as packed), except packed on a CPU adapter when cols % 4 === 0', () => {
    for (const p of [lavapipe, gpuF16]) {
      for (const [rows, cols] of [[4096, 1024], [64, 768], [1, 4096], [64, 4099], [3, 13], [1, 1 << 20]] as const) {
        const chosen = selectVariant(p, { rows, cols, dtype: 'f16' });
        const packed = selectVariant({ ...p, shaderF16: false }, { rows, cols, dtype: 'f16' });
        // The packed chunk kernels beat vec4<f16> on lavapipe; odd widths stay native there.
        const native = !(p.cpu && cols % 4 === 0);
        expect(chosen).toEqual(native ? { ...packed, vec4: cols % 4 === 0, nativeF16: true } : packed);
        expect(checkVariant(chosen, cols, 'f16', p)).toEqual(chosen);
      }
      expect(selectVariant(p, { rows: 64, cols: 768, dtype: 'f32' }).nativeF16).toBeUndefined();
    }
    expect(selectVariant(swiftshader, { rows: 64, cols: 768, dtype: 'f16' })).toEqual({ reduction: 'workgroup', vec4: false, workgroupSize: 4, threadsPerRow: 1, cachedChunks: 0, rowsPerInvocation: 4 });
  });

  test('checkVariant: nativeF16 needs f16 storage and the feature; vec4 with f16 needs nativeF16; false is not echoed', () => {
    const v: RowNormVariant = { reduction: 'workgroup', vec4: true, workgroupSize: 16, threadsPerRow: 1, cachedChunks: 0, nativeF16: true };
    expect(checkVariant(v, 768, 'f16', lavapipe)).toEqual(v);
    expect(checkVariant({ ...v, vec4: false }, 13, 'f16', lavapipe)).toEqual({ ...v, vec4: false });
    expect(checkVariant({ ...v, vec4: false, nativeF16: false }, 13, 'f16', lavapipe)).toEqual({ reduction: 'workgroup', vec4: false, workgroupSize: 16, threadsPerRow: 1, cachedChunks: 0 });
    expect(checkVariant({ ...v, rowsPerInvocation: 4 }, 768, 'f16', lavapipe)).toEqual({ ...v, rowsPerInvocation: 4 });
    expectRefused(() => checkVariant(v, 768, 'f16', swiftshader), 'variant.nativeF16', /shader-f16/);
    expectRefused(() => checkVariant(v, 768, 'f32', lavapipe), 'variant.nativeF16', /f16 storage/);
    expectRefused(() => checkVariant({ ...v, nativeF16: 1 as unknown as boolean }, 768, 'f16', lavapipe), 'variant.nativeF16', /boolean/);
    expectRefused(() => checkVariant(v, 770, 'f16', lavapipe), 'variant.vec4', /cols % 4/);
    expectRefused(() => checkVariant({ ...v, nativeF16: false }, 768, 'f16', lavapipe), 'variant.vec4', /nativeF16/);
  });

  test('labels say f16x4 / f16 for native access; packed f16 keeps scalar', () => {
    expect(describeVariant({ reduction: 'workgroup', vec4: true, workgroupSize: 16, threadsPerRow: 1, cachedChunks: 0, nativeF16: true, rowsPerInvocation: 4 })).toBe('wg16/t1/f16x4/none/reg0/x4');
    expect(describeVariant({ reduction: 'subgroup', vec4: false, workgroupSize: 8, threadsPerRow: 8, cachedChunks: 0, nativeF16: true })).toBe('wg8/t8/f16/subgroup/reg0');
    expect(describeVariant({ reduction: 'subgroup', vec4: false, workgroupSize: 8, threadsPerRow: 8, cachedChunks: 0 })).toBe('wg8/t8/scalar/subgroup/reg0');
  });

  test("the tuner tries the rule's access for every layout and, with shader-f16, the rule's layout with the other access; its key records vec4<f16> eligibility", () => {
    // A GPU with shader-f16: native everywhere, plus the rule's layout packed.
    const gpu = candidateVariants(gpuF16, { rows: 64, cols: 768, dtype: 'f16' });
    expect(gpu[0]).toMatchObject({ nativeF16: true, vec4: true });
    expect(gpu.filter((v) => v.nativeF16 !== true)).toEqual([{ ...gpu[0], nativeF16: undefined, vec4: false }].map(({ nativeF16: _, ...v }) => v));
    // lavapipe (a CPU adapter) at cols % 4 === 0: packed everywhere (the rule's choice), plus the rule's layout native.
    const cpuAdapter = candidateVariants(lavapipe, { rows: 64, cols: 768, dtype: 'f16' });
    expect(cpuAdapter[0]!.nativeF16).toBeUndefined();
    expect(cpuAdapter.filter((v) => v.nativeF16 === true)).toEqual([{ ...cpuAdapter[0], vec4: true, nativeF16: true }]);
    // Odd widths on lavapipe: native, as the rule picks.
    for (const v of candidateVariants(lavapipe, { rows: 64, cols: 4099, dtype: 'f16' }).slice(2)) expect(v).toMatchObject({ nativeF16: true, vec4: false });
    for (const v of [...gpu, ...cpuAdapter]) expect(checkVariant(v, 768, 'f16', lavapipe)).toEqual(v);
    for (const v of candidateVariants(swiftshader, { rows: 64, cols: 768, dtype: 'f16' })) {
      expect(v.vec4).toBe(false);
      expect(v.nativeF16).toBeUndefined();
    }
    expect(tuningKey(lavapipe, 'layerNorm', 'f16', 64, 768)).toBe('mesa/software|layerNorm|f16|64x1024v');
    expect(tuningKey(lavapipe, 'layerNorm', 'f16', 64, 4099)).toBe('mesa/software|layerNorm|f16|64x8192s');
    expect(tuningKey(swiftshader, 'layerNorm', 'f16', 64, 768)).toBe('google/swiftshader|layerNorm|f16|64x1024s');
  });
});
