/**
 * Autotuning: time candidate variants on the user's own adapter and remember the winner per
 * (adapter, op, dtype, shape bucket). The table is plain JSON: exportable, importable, and
 * persisted in `localStorage` where the platform has it, so a page tunes once per device.
 */
import { nextPowerOfTwo } from '../../core/dispatch.js';
import type { ScratchLimits } from '../../core/scratch.js';
import { describeVariant, MAX_CACHED_CHUNKS, selectVariant, variantFits, type AdapterProfile, type RowNormVariant } from './variant.js';
import { type Dtype } from '../../core/tensor.js';
import { type RowNormOpName } from '../table.js';

/** Winners by {@link tuningKey}. */
export interface TuningTable {
  readonly version: 1;
  readonly entries: Record<string, RowNormVariant & { readonly ms: number }>;
}

export const STORAGE_KEY = 'webgpu-norm:tuning:v1';

/**
 * The bucket a shape tunes for: rows and cols rounded up to powers of two, plus whether vec4
 * access is possible, so one measurement serves neighbouring shapes.
 *
 * @example
 * ```ts
 * tuningKey(profile, 'layerNorm', 'f32', 100, 768); // 'google/swiftshader|layerNorm|f32|128x1024v'
 * ```
 */
export function tuningKey(profile: AdapterProfile, op: RowNormOpName, dtype: Dtype, rows: number, cols: number): string {
  const vec4 = (dtype === 'f32' || profile.shaderF16 === true) && cols % 4 === 0 ? 'v' : 's';
  return `${profile.name}|${op}|${dtype}|${nextPowerOfTwo(rows)}x${nextPowerOfTwo(cols)}${vec4}`;
}

/**
 * The variants worth timing for a shape, the rule's own choice first (so tune() never lacks it: on
 * lavapipe the rule's subgroup-of-8 team is none of the others; and, the ranking being a stable
 * sort, a tie, as timestamps quantized coarser than the kernels produce, keeps the rule): whole rows per invocation (one row at three workgroup
 * sizes, with and without register caching; two and four rows at two sizes), teams of 4 to
 * the device maximum with each reduction, and for fewer than 64 rows of 4096 or more, rows split
 * into 2–32 segments (of at least 1024 elements) owned by teams of 4 and of the device maximum.
 * Given the device `limits`, a split whose scratch would not fit them is left out.
 *
 * @example
 * ```ts
 * candidateVariants(profile, { rows: 1, cols: 4096, dtype: 'f32' }, device.limits).length; // ~14
 * ```
 */
export function candidateVariants(profile: AdapterProfile, shape: { rows: number; cols: number; dtype: Dtype }, limits?: ScratchLimits): RowNormVariant[] {
  // f16: the rule's access (native or packed) for every layout, and on a device with shader-f16
  // the rule's own layout with the other access too, so tune() also decides native against packed.
  const ruled = selectVariant(profile, shape, limits);
  const nativeF16 = ruled.nativeF16 === true;
  const vec4 = (shape.dtype === 'f32' || nativeF16) && shape.cols % 4 === 0;
  const chunks = Math.ceil(shape.cols / 4);
  const out: RowNormVariant[] = [ruled];
  if (shape.dtype === 'f16' && profile.shaderF16 === true) {
    const { nativeF16: _, ...layout } = ruled;
    out.push(nativeF16 ? { ...layout, vec4: false } : { ...layout, vec4: shape.cols % 4 === 0, nativeF16: true });
  }
  const fixed = out.length;
  for (const workgroupSize of [16, 64, 256]) {
    if (workgroupSize > profile.maxWorkgroupSize) continue;
    for (const cachedChunks of [0, Math.min(chunks, MAX_CACHED_CHUNKS)]) {
      out.push({ reduction: 'workgroup', vec4, workgroupSize, threadsPerRow: 1, cachedChunks });
    }
  }
  for (const workgroupSize of [4, 16]) {
    for (const rowsPerInvocation of [2, 4] as const) {
      if (workgroupSize <= profile.maxWorkgroupSize) out.push({ reduction: 'workgroup', vec4, workgroupSize, threadsPerRow: 1, cachedChunks: 0, rowsPerInvocation });
    }
  }
  for (let t = 4; t <= profile.maxWorkgroupSize; t *= 4) {
    const cachedChunks = Math.min(MAX_CACHED_CHUNKS, Math.ceil(chunks / t));
    out.push({ reduction: 'workgroup', vec4, workgroupSize: t, threadsPerRow: t, cachedChunks });
    if (profile.subgroups) out.push({ reduction: 'subgroup', vec4, workgroupSize: t, threadsPerRow: t, cachedChunks });
    if (t < profile.maxWorkgroupSize) {
      out.push({ reduction: 'workgroup', vec4, workgroupSize: profile.maxWorkgroupSize, threadsPerRow: t, cachedChunks });
    }
  }
  // Split rows, for few wide rows: segments of at least 256 chunks, owned by the smallest team
  // (subgroup-sized) and by a full workgroup.
  if (shape.rows < 64 && chunks >= 1024) {
    for (const splitRow of [2, 4, 8, 16, 32]) {
      if (chunks / splitRow < 256) break;
      const small = Math.min(4, profile.maxWorkgroupSize);
      out.push({ reduction: profile.subgroups ? 'subgroup' : 'workgroup', vec4, workgroupSize: small, threadsPerRow: small, cachedChunks: 0, splitRow });
      if (profile.maxWorkgroupSize > small) {
        const t = profile.maxWorkgroupSize;
        out.push({ reduction: profile.subgroups ? 'subgroup' : 'workgroup', vec4, workgroupSize: t, threadsPerRow: t, cachedChunks: 0, splitRow });
      }
    }
  }
  const seen = new Set<string>();
  return out
    .map((v, i) => (nativeF16 && i >= fixed ? { ...v, nativeF16 } : v))
    .filter((v) => {
      const label = describeVariant(v);
      if (seen.has(label)) return false;
      seen.add(label);
      return variantFits(v, shape.rows, limits);
    });
}

/**
 * Reads a table persisted in `localStorage`, if the platform has one; otherwise an empty table.
 *
 * @example
 * ```ts
 * const table = loadTuning(); // { version: 1, entries: {...} }
 * ```
 */
export function loadTuning(): TuningTable {
  try {
    const raw = (globalThis as { localStorage?: Storage }).localStorage?.getItem(STORAGE_KEY);
    if (raw) {
      const t = JSON.parse(raw) as TuningTable;
      if (t && t.version === 1 && typeof t.entries === 'object') return { version: 1, entries: { ...t.entries } };
    }
  } catch {
    // Storage can throw (privacy modes, quota, sandboxed iframes): tuning is an optimization only.
  }
  return { version: 1, entries: {} };
}

/**
 * Persists `table` in `localStorage` where available; returns whether it was stored.
 *
 * @example
 * ```ts
 * saveTuning(table); // false in Node, where there is no localStorage
 * ```
 */
export function saveTuning(table: TuningTable): boolean {
  try {
    const storage = (globalThis as { localStorage?: Storage }).localStorage;
    if (!storage) return false;
    storage.setItem(STORAGE_KEY, JSON.stringify(table));
    return true;
  } catch {
    return false;
  }
}
