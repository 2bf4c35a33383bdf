/**
 * Kernel variants of the row-normalization family and the rule that picks one per adapter and
 * shape. The same kernel code runs in every variant; override constants decide how many rows a
 * workgroup takes, how many invocations share a row, how they reduce, and how much of the row
 * stays in registers.
 *
 * Why a rule per adapter: on GPUs a row wants many invocations (coalesced loads, full occupancy)
 * and barriers are cheap; on CPU implementations of WebGPU (SwiftShader, lavapipe, WARP) each
 * `workgroupBarrier()` costs a fibre switch per invocation, so one row per invocation with no
 * barriers wins by a wide margin. Measured figures are in the README.
 */
import type { DeviceFacts } from '../../core/f16-probe.js';
import { nextPowerOfTwo } from '../../core/dispatch.js';
import { NormError, describe } from '../../core/errors.js';
import { scratchFits, type ScratchLimits } from '../../core/scratch.js';
import { type Dtype } from '../../core/tensor.js';

/**
 * A kernel variant. Each workgroup of `workgroupSize` invocations handles
 * `workgroupSize / threadsPerRow` rows; the `threadsPerRow` invocations of one row reduce its
 * statistics together.
 */
export interface RowNormVariant {
  /**
   * How the invocations of one row combine partial sums: `workgroup` is a tree in workgroup memory
   * (one barrier per level); `subgroup` uses `subgroupAdd` and one barrier per reduction (needs
   * the `subgroups` feature and `threadsPerRow === workgroupSize`). Irrelevant when
   * `threadsPerRow` is 1 (no reduction at all).
   */
  readonly reduction: 'workgroup' | 'subgroup';
  /**
   * Loads/stores as vec4 (`vec4<f32>`, or `vec4<f16>` with `nativeF16`); needs `cols % 4 === 0`
   * and f32 storage or `nativeF16`.
   */
  readonly vec4: boolean;
  /**
   * f16 storage through WGSL's own `f16` type (needs the device feature `shader-f16` and f16
   * storage): no packed words, no atomics for odd widths, the implementation's conversions. Absent
   * or false: f16 travels packed two per u32 (any device).
   */
  readonly nativeF16?: boolean | undefined;
  /** Invocations per workgroup: a power of two within the device's limits. */
  readonly workgroupSize: number;
  /** Invocations per row: a power of two <= workgroupSize. 1 = one row per invocation, no barriers. */
  readonly threadsPerRow: number;
  /**
   * Chunks (4 elements each) of the row each invocation keeps in registers between the passes,
   * 0 to {@link MAX_CACHED_CHUNKS}; x is read from memory once when
   * `ceil(ceil(cols / 4) / threadsPerRow) <= cachedChunks`, chunks beyond are re-read.
   */
  readonly cachedChunks: number;
  /**
   * Rows each invocation normalizes (1, 2 or 4; default 1). More than 1 needs `threadsPerRow === 1`
   * and `cachedChunks === 0`: the rows share one loop and each chunk of γ/β is loaded once for all
   * of them, which is what costs on CPU adapters (see row-norm/row_norm_multi.wgsl).
   */
  readonly rowsPerInvocation?: 1 | 2 | 4 | undefined;
  /**
   * Segments per row (an integer from 2 to {@link MAX_SPLIT_ROW}; absent or 1 = whole rows). Each
   * segment of about `ceil(cols / 4) / splitRow` chunks gets its own team of `threadsPerRow`
   * invocations, so one row spreads over several workgroups: two dispatches, partial statistics
   * per segment into a scratch buffer, then a deterministic merge per row and the normalization
   * (see row-norm/row_norm_split.wgsl). Needs `cachedChunks === 0` and one row per invocation.
   * For few, very wide rows (decode).
   */
  readonly splitRow?: number | undefined;
}

/** Largest `splitRow` a variant may ask for. */
export const MAX_SPLIT_ROW = 256;

/**
 * Segments per row of `v` (1 when rows are not split).
 *
 * @example
 * ```ts
 * splitSegments({ reduction: 'subgroup', vec4: true, workgroupSize: 256, threadsPerRow: 256, cachedChunks: 0, splitRow: 8 }); // 8
 * ```
 */
export function splitSegments(v: RowNormVariant): number {
  return v.splitRow ?? 1;
}

/**
 * Bytes of one row segment's partial statistics in the split-row scratch: one `vec4<f32>`
 * (`partials` in row-norm/row_norm_split.wgsl; a unit test ties the two).
 */
export const SPLIT_PARTIAL_BYTES = 16;

/**
 * Scratch bytes `v` needs for `rows` rows: one partial per row segment when rows are split, else 0.
 *
 * @example
 * ```ts
 * splitScratchBytes({ reduction: 'subgroup', vec4: true, workgroupSize: 256, threadsPerRow: 256, cachedChunks: 0, splitRow: 256 }, 32769); // 134221824
 * ```
 */
export function splitScratchBytes(v: RowNormVariant, rows: number): number {
  const segments = splitSegments(v);
  return segments > 1 ? rows * segments * SPLIT_PARTIAL_BYTES : 0;
}

/**
 * Whether `v`'s scratch for `rows` rows fits the device (always, without `limits`).
 *
 * @example
 * ```ts
 * variantFits(variant, rows, device.limits);
 * ```
 */
export function variantFits(v: RowNormVariant, rows: number, limits?: ScratchLimits): boolean {
  return limits === undefined || scratchFits(limits, splitScratchBytes(v, rows));
}

/**
 * Rows (split variants: row segments) one workgroup of `v` covers.
 *
 * @example
 * ```ts
 * rowsPerWorkgroup({ reduction: 'workgroup', vec4: true, workgroupSize: 16, threadsPerRow: 1, cachedChunks: 0, rowsPerInvocation: 4 }); // 64
 * ```
 */
export function rowsPerWorkgroup(v: RowNormVariant): number {
  return (v.workgroupSize / v.threadsPerRow) * (v.rowsPerInvocation ?? 1);
}

/**
 * Bytes of address that a CPU's L1 data cache maps onto its sets (64 sets of 64-byte lines, in the
 * common 32 KiB 8-way and 48 KiB 12-way caches alike), and the fewest ways of those: rows that
 * start at the same offset modulo this span share a set.
 */
const L1_SET_SPAN = 4096;
const L1_WAYS = 8;
const CACHE_LINE = 64;

/**
 * By how many chunks each invocation that works on `rowsPerInvocation` > 1 rows together rotates
 * its walk along its rows (`ROTATE_CHUNKS` in row-norm/row_norm_multi.wgsl and in the backward
 * dx kernel), 0 for none. One SIMD step touches `subgroupMinSize × rowsPerInvocation` rows at the
 * same chunk. Rows whose length shares a large power of two with 4 KiB start on few offsets modulo
 * 4 KiB, so those rows (and their outputs) compete for few L1 sets. Where at least 8 rows share
 * an offset, each invocation starts one cache line after its neighbour and wraps round, which
 * spreads them over the sets. CPU adapters only: it is their layout, and their cache.
 *
 * Measured (interleaved A/B of the library kernel, docs/cpu-adapter-experiments.md): on llvmpipe
 * (8 lanes) LayerNorm and RMSNorm took 0.51–0.94× the time in f32 at rows of 3, 4, 8 and 16 KiB,
 * 0.65–0.89× in f16, the backward passes 0.81–0.91×. Where fewer rows share an offset
 * (1.5 KiB f16 rows: 4) or none do (1000 or 1028 wide), rotating cost 0–5 %, so it stays off
 * there. On SwiftShader (4 lanes) it was within the noise at every shape.
 *
 * @example
 * ```ts
 * chunkRotation(llvmpipe, 4, 1024, 'f32'); // 4: one 64-byte line of vec4<f32> chunks
 * chunkRotation(llvmpipe, 4, 768, 'f16'); // 0: 1.5 KiB rows fall on eight offsets, 4 rows each
 * ```
 */
export function chunkRotation(profile: AdapterProfile, rowsPerInvocation: number, cols: number, dtype: Dtype): number {
  if (!profile.cpu || rowsPerInvocation === 1) return 0;
  // Rows follow one another with no padding (packed f16 rows of odd width start mid-word); a chunk
  // is four elements in every access path.
  const elementBytes = dtype === 'f16' ? 2 : 4;
  const offsets = L1_SET_SPAN / gcd(cols * elementBytes, L1_SET_SPAN);
  return (profile.subgroupMinSize * rowsPerInvocation) / offsets >= L1_WAYS ? CACHE_LINE / (4 * elementBytes) : 0;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * How many invocations a CPU adapter runs in one SIMD step: its subgroup size, and at least 4
 * (WebGPU's least). Its invocations are the lanes of those steps, so a workgroup narrower than
 * this leaves lanes of every step idle (on llvmpipe's 8 lanes a workgroup of 4 runs half empty):
 * the CPU layouts (the four-rows row norms, GroupNorm's fused layout) never go below it.
 *
 * @example
 * ```ts
 * simdLanes({ subgroupMinSize: 8 }); // 8 (llvmpipe)
 * simdLanes({ subgroupMinSize: 4 }); // 4 (SwiftShader)
 * ```
 */
export function simdLanes(profile: Pick<AdapterProfile, 'subgroupMinSize'>): number {
  return Math.max(4, profile.subgroupMinSize);
}

/** The register array's fixed size in the shader (`MAX_CACHED` in row-norm/row_norm_core.wgsl). */
export const MAX_CACHED_CHUNKS = 32;

/** What the selection rule knows about an adapter. */
export interface AdapterProfile {
  /** e.g. `google/swiftshader`, `nvidia/ampere`. */
  readonly name: string;
  /** True for CPU implementations of WebGPU, where barriers are very costly. */
  readonly cpu: boolean;
  /** The device has `subgroups` and WGSL's `subgroup_id` builtin. */
  readonly subgroups: boolean;
  /** Largest power-of-two workgroup size the limits allow (capped at 256): the automatic rule's and tune()'s bound. */
  readonly maxWorkgroupSize: number;
  /**
   * Largest power-of-two workgroup size the limits allow, uncapped (1024 on most GPUs and on
   * lavapipe): the bound for a forced variant, so that the kernels can be checked at the sizes a
   * GPU allows. Absent: `maxWorkgroupSize`.
   */
  readonly maxForcedWorkgroupSize?: number | undefined;
  /** Smallest subgroup size (adapter info; 4 when unknown, WebGPU's minimum). */
  readonly subgroupMinSize: number;
  /** The device has `shader-f16` (absent: no). */
  readonly shaderF16?: boolean | undefined;
  /**
   * WGSL's `unpack2x16float` was found exact for every half on this device (absent: not proven),
   * so the packed-f16 kernels use it bare (src/core/f16-probe.ts).
   */
  readonly f16UnpackExact?: boolean | undefined;
}

/**
 * `profile` with what the probes found about the device (src/core/f16-probe.ts): the profile
 * itself when they found nothing.
 *
 * @example
 * ```ts
 * const profile = withFacts(profileDevice(device), await probeF16Unpack(device));
 * ```
 */
export function withFacts(profile: AdapterProfile, facts: DeviceFacts): AdapterProfile {
  return facts.f16UnpackExact === true ? { ...profile, f16UnpackExact: true } : profile;
}

const profilesWithoutF16 = new WeakMap<AdapterProfile, AdapterProfile>();

/**
 * `profile` as if the device had no `shader-f16`: what kernels that read f16 packed select with
 * (the fused add forms, an f32 y from f16 x, the backward passes). Made once per profile.
 *
 * @example
 * ```ts
 * selectVariant(profileWithoutF16(ctx.profile), { rows, cols, dtype: 'f16' }).nativeF16; // never true
 * ```
 */
export function profileWithoutF16(profile: AdapterProfile): AdapterProfile {
  if (profile.shaderF16 !== true) return profile;
  let p = profilesWithoutF16.get(profile);
  if (!p) profilesWithoutF16.set(profile, (p = { ...profile, shaderF16: false }));
  return p;
}

const CPU_ADAPTERS = /swiftshader|llvmpipe|lavapipe|softpipe|warp|microsoft basic render/i;

/**
 * Reads an {@link AdapterProfile} off a device (`device.adapterInfo`, features, limits) or off
 * explicit adapter info.
 *
 * @example
 * ```ts
 * profileDevice(device); // { name: 'google/swiftshader', cpu: true, subgroups: true, maxWorkgroupSize: 256, subgroupMinSize: 4 }
 * ```
 */
export function profileDevice(device: GPUDevice, info?: Partial<GPUAdapterInfo>): AdapterProfile {
  const i: Partial<GPUAdapterInfo> = info ?? (device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo ?? {};
  const text = `${i.vendor ?? ''} ${i.architecture ?? ''} ${i.device ?? ''} ${i.description ?? ''}`;
  const fallback = (i as { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
  const wgsl = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu?.wgslLanguageFeatures;
  // subgroup_id is a newer builtin; where the language-feature set is unknown (Node/Dawn) assume it.
  const subgroupId = wgsl ? wgsl.has('subgroup_id') : true;
  const deviceMax = Math.min(device.limits.maxComputeInvocationsPerWorkgroup, device.limits.maxComputeWorkgroupSizeX);
  const max = Math.min(256, deviceMax);
  return {
    name: `${i.vendor || 'unknown'}/${i.architecture || 'unknown'}`,
    cpu: fallback || CPU_ADAPTERS.test(text),
    subgroups: device.features.has('subgroups') && subgroupId,
    maxWorkgroupSize: 2 ** Math.floor(Math.log2(max)),
    maxForcedWorkgroupSize: 2 ** Math.floor(Math.log2(deviceMax)),
    subgroupMinSize: Math.max(4, (i as { subgroupMinSize?: number }).subgroupMinSize ?? 4),
    ...(device.features.has('shader-f16') ? { shaderF16: true } : {}),
  };
}

/**
 * GPUs: rows are split when there are fewer than {@link GPU_SPLIT_MAX_ROWS} of them and they are
 * at least {@link GPU_SPLIT_MIN_COLS} wide. Reasoning (no GPU was available to measure it): one
 * workgroup per row gives a decode step (1–16 rows) 1–16 workgroups, while even a mid-range GPU
 * holds 30–80 compute units with several 256-invocation workgroups each; memory bandwidth is only
 * reached with roughly {@link GPU_SPLIT_TARGET_WORKGROUPS}+ workgroups in flight. Segments are
 * made just numerous enough for that target (a power of two), but never shorter than
 * {@link GPU_SPLIT_MIN_SEGMENT_CHUNKS} chunks (2 per invocation of a 256-team), so each segment's
 * partial write and the per-row merge stay small next to its loads; a row of 16384 gets 8
 * segments, 65536 gets 32 (one row) or 8 (16 rows). Narrower rows keep one workgroup each: the
 * second dispatch and the partials would cost more than the idle units.
 */
export const GPU_SPLIT_MAX_ROWS = 64;
export const GPU_SPLIT_MIN_COLS = 16384;
export const GPU_SPLIT_TARGET_WORKGROUPS = 128;
export const GPU_SPLIT_MIN_SEGMENT_CHUNKS = 512;

/**
 * CPU adapters: a lone row (decode) at least this wide is split in two, each half a
 * subgroup-sized team. Measured on SwiftShader (2 cores, Chromium, timestamp queries, medians of
 * 40, shared machine): when the second core was free, 2 segments took LayerNorm 1×65536 from
 * 0.759 to 0.424 ms and 1×262144 from 3.56 to 1.88 ms (RMSNorm alike); when other jobs held it,
 * splitting cost 1–5% (an unsplit row runs on one core either way). At 1×16384 the gain with a
 * free core was smaller (0.211 → 0.139 ms) and the loss under load larger (5–23%), so it stays
 * whole; at 1×4096 the second dispatch's fixed cost always wins (0.064–0.067 ms unsplit,
 * 0.09–0.18 ms split); with 2+ rows the rows already occupy both cores (4×65536: no gain).
 * More segments than 2 measured no better on 2 cores.
 */
export const CPU_SPLIT_MIN_COLS = 65536;

/** Segments per row the GPU rule gives a shape (1 = no split). */
function gpuSplitSegments(rows: number, cols: number): number {
  if (rows >= GPU_SPLIT_MAX_ROWS || cols < GPU_SPLIT_MIN_COLS) return 1;
  const byLength = Math.floor(Math.ceil(cols / 4) / GPU_SPLIT_MIN_SEGMENT_CHUNKS);
  const byOccupancy = nextPowerOfTwo(Math.ceil(GPU_SPLIT_TARGET_WORKGROUPS / Math.max(1, rows)));
  return Math.max(1, Math.min(MAX_SPLIT_ROW, byLength, byOccupancy));
}

/**
 * The automatic choice (documented in the README):
 * - f16 storage as WGSL's own f16 where the device has `shader-f16` (`nativeF16`), else packed;
 *   on CPU adapters packed when `cols % 4 === 0` (the chunk-at-a-time packed kernels are faster there).
 * - vec4 access whenever the width allows (`cols % 4 === 0`; f32 or native f16).
 * - CPU adapters: whole rows per invocation (no barriers), no register cache: four rows per
 *   invocation (γ/β loaded once for all four) when there are 32 rows or more, in workgroups of
 *   4–16 invocations sized so the grid has at least 8 workgroups, but never fewer than the
 *   subgroup size; fewer than 32 rows of at most 16 elements get one row per invocation, 16 per
 *   workgroup. Other rows below 32 (decode) each get one subgroup-sized workgroup reduced by
 *   subgroupAdd alone (or a team of 16 with a workgroup tree without subgroups); a single row of
 *   65536 or more is split in two such teams ({@link CPU_SPLIT_MIN_COLS}).
 * - GPUs: rows of up to 128 chunks (512 elements) get one subgroup each (a workgroup of the
 *   smallest subgroup size, reduced by subgroupAdd alone) or, without subgroups, 32-invocation
 *   teams several to a workgroup; wider rows get one workgroup of `chunks / 4` invocations
 *   (64–256) each, reduced with subgroups when available. Each invocation keeps up to 8 chunks in
 *   registers, so rows up to 8192 wide are read once. Fewer than 64 rows of 16384 or more: split
 *   rows (`splitRow`), see {@link GPU_SPLIT_MAX_ROWS}.
 * - Given the device `limits`, a split whose scratch would not fit them is not chosen: rows stay whole.
 *
 * @example
 * ```ts
 * selectVariant(profileDevice(device), { rows: 128, cols: 768, dtype: 'f32' }, device.limits);
 * ```
 */
export function selectVariant(profile: AdapterProfile, shape: { rows: number; cols: number; dtype: Dtype }, limits?: ScratchLimits): RowNormVariant {
  // Native f16 wherever the device has it, except on a CPU adapter when cols % 4 === 0: there the
  // packed chunk-at-a-time kernels (a vec2<u32> of four halves per load, same bits) measured
  // 1.05-1.65x faster than vec4<f16> on lavapipe (docs/variants.md, "Native f16").
  const nativeF16 = shape.dtype === 'f16' && profile.shaderF16 === true && !(profile.cpu && shape.cols % 4 === 0);
  const v = selectLayout(profile, shape, (shape.dtype === 'f32' || nativeF16) && shape.cols % 4 === 0, limits);
  return nativeF16 ? { ...v, nativeF16 } : v;
}

/** {@link selectVariant}'s choice of layout, given whether the access is vec4. */
function selectLayout(profile: AdapterProfile, shape: { rows: number; cols: number }, vec4: boolean, limits?: ScratchLimits): RowNormVariant {
  const { rows, cols } = shape;
  const chunks = Math.ceil(cols / 4);
  const max = profile.maxWorkgroupSize;
  if (profile.cpu) {
    // Measured on SwiftShader (README): one row per invocation in workgroups of 16, re-reading x
    // rather than caching it (private arrays live in memory there too), beats every team layout
    // by 2-30x once there are rows for every core; a lone wide row (decode) needs a team.
    if (rows >= 32) {
      // Four rows per invocation, from 32 rows: at 32-127 rows it took 0.72-0.97x the time of one
      // row per invocation (LayerNorm, RMSNorm, f16; SwiftShader and llvmpipe), in workgroups of
      // 4 giving as many workgroups as one row per invocation in 16 did. Workgroups shrink as the
      // rows do, so that the grid keeps 8 workgroups for the cores of a many-core CPU where it can,
      // but not below the SIMD width ({@link simdLanes}: a workgroup of 4 on llvmpipe's 8 lanes
      // took 1.1-1.2x the time of 8 or 16 at 128 rows). Below 128 rows the grid has fewer than 8
      // workgroups.
      const least = Math.min(16, max, simdLanes(profile));
      const workgroupSize = Math.max(least, Math.min(16, max, 2 ** Math.floor(Math.log2(rows / 32))));
      return { reduction: 'workgroup', vec4, workgroupSize, threadsPerRow: 1, cachedChunks: 0, rowsPerInvocation: 4 };
    }
    if (chunks <= 4) {
      return { reduction: 'workgroup', vec4, workgroupSize: Math.min(16, max), threadsPerRow: 1, cachedChunks: 0 };
    }
    if (profile.subgroups) {
      // One subgroup per row: subgroupAdd alone reduces it, no barrier at all; a lone wide row
      // in two halves, so that two cores work on it.
      const t = Math.min(profile.subgroupMinSize, max);
      const team: RowNormVariant = { reduction: 'subgroup', vec4, workgroupSize: t, threadsPerRow: t, cachedChunks: 0 };
      if (rows === 1 && cols >= CPU_SPLIT_MIN_COLS) {
        const split: RowNormVariant = { ...team, splitRow: 2 };
        if (variantFits(split, rows, limits)) return split;
      }
      return team;
    }
    const threadsPerRow = Math.min(16, max);
    return { reduction: 'workgroup', vec4, workgroupSize: threadsPerRow, threadsPerRow, cachedChunks: Math.min(MAX_CACHED_CHUNKS, Math.ceil(chunks / threadsPerRow)) };
  }
  if (chunks <= 128 && profile.subgroups) {
    // A row per subgroup ("warp per row"): subgroupAdd alone, no barrier, no workgroup memory.
    const t = Math.min(profile.subgroupMinSize, max, nextPowerOfTwo(chunks));
    return { reduction: 'subgroup', vec4, workgroupSize: t, threadsPerRow: t, cachedChunks: Math.min(8, Math.ceil(chunks / t)) };
  }
  if (chunks <= 128) {
    const threadsPerRow = Math.min(32, max, nextPowerOfTwo(chunks));
    const workgroupSize = Math.min(max, Math.max(threadsPerRow, 128));
    const reduction = profile.subgroups && threadsPerRow === workgroupSize ? 'subgroup' : 'workgroup';
    return { reduction, vec4, workgroupSize, threadsPerRow, cachedChunks: Math.min(8, Math.ceil(chunks / threadsPerRow)) };
  }
  const segments = gpuSplitSegments(rows, cols);
  if (segments > 1) {
    // Few, very wide rows: one workgroup per row would leave most of the GPU idle, so each row is
    // split into segments, each a full workgroup's team (see GPU_SPLIT_* above).
    const split: RowNormVariant = { reduction: profile.subgroups ? 'subgroup' : 'workgroup', vec4, workgroupSize: max, threadsPerRow: max, cachedChunks: 0, splitRow: segments };
    if (variantFits(split, rows, limits)) return split;
  }
  const threadsPerRow = Math.min(max, Math.max(64, nextPowerOfTwo(Math.ceil(chunks / 4))));
  return {
    reduction: profile.subgroups ? 'subgroup' : 'workgroup',
    vec4,
    workgroupSize: threadsPerRow,
    threadsPerRow,
    cachedChunks: Math.min(8, Math.ceil(chunks / threadsPerRow)),
  };
}

/**
 * Checks a caller-forced variant against the shape and device.
 *
 * @example
 * ```ts
 * checkVariant({ reduction: 'workgroup', vec4: false, workgroupSize: 64, threadsPerRow: 1, cachedChunks: 0 }, 13, 'f32', profile);
 * ```
 */
export function checkVariant(v: unknown, cols: number, dtype: Dtype, profile: AdapterProfile): RowNormVariant {
  const bad = (message: string, arg = 'variant') => new NormError('invalid-argument', message, arg);
  if (typeof v !== 'object' || v === null) throw bad(`expected a variant object, got ${describe(v)}`);
  const { reduction, vec4, workgroupSize: wg, threadsPerRow: t, cachedChunks } = v as RowNormVariant;
  const pow2 = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 1 && (n & (n - 1)) === 0;
  if (reduction !== 'workgroup' && reduction !== 'subgroup') throw bad(`expected 'workgroup' or 'subgroup', got ${describe(reduction)}`, 'variant.reduction');
  // Up to the device's own limit (1024 on most devices): the kernels' two workgroup arrays of
  // vec2<f32> per invocation take 16 KiB at 1024, WebGPU's minimum maxComputeWorkgroupStorageSize.
  const maxWg = Math.max(profile.maxWorkgroupSize, profile.maxForcedWorkgroupSize ?? 0);
  if (!pow2(wg) || wg > maxWg) throw bad(`expected a power of two <= ${maxWg}, got ${describe(wg)}`, 'variant.workgroupSize');
  if (!pow2(t) || t > wg) throw bad(`expected a power of two <= workgroupSize (${wg}), got ${describe(t)}`, 'variant.threadsPerRow');
  if (typeof vec4 !== 'boolean') throw bad(`expected a boolean, got ${describe(vec4)}`, 'variant.vec4');
  const nativeF16 = (v as RowNormVariant).nativeF16 ?? false;
  if (typeof nativeF16 !== 'boolean') throw bad(`expected a boolean, got ${describe(nativeF16)}`, 'variant.nativeF16');
  if (nativeF16 && dtype !== 'f16') throw bad(`nativeF16 needs f16 storage (dtype = ${dtype})`, 'variant.nativeF16');
  if (nativeF16 && profile.shaderF16 !== true) throw bad("nativeF16 needs the device feature 'shader-f16'", 'variant.nativeF16');
  if (vec4 && ((dtype !== 'f32' && !nativeF16) || cols % 4 !== 0)) {
    throw bad(`vec4 access needs f32 storage (or nativeF16) and cols % 4 === 0 (cols = ${cols}, dtype = ${dtype})`, 'variant.vec4');
  }
  if (typeof cachedChunks !== 'number' || !Number.isInteger(cachedChunks) || cachedChunks < 0 || cachedChunks > MAX_CACHED_CHUNKS) {
    throw bad(`expected an integer in [0, ${MAX_CACHED_CHUNKS}], got ${describe(cachedChunks)}`, 'variant.cachedChunks');
  }
  if (reduction === 'subgroup' && t > 1) {
    if (!profile.subgroups) throw bad("the 'subgroup' reduction needs the device feature 'subgroups' (and WGSL subgroup_id)", 'variant.reduction');
    if (t !== wg) throw bad("the 'subgroup' reduction needs threadsPerRow === workgroupSize (one row per workgroup)", 'variant.reduction');
  }
  const rowsPerInvocation = (v as RowNormVariant).rowsPerInvocation ?? 1;
  if (rowsPerInvocation !== 1 && rowsPerInvocation !== 2 && rowsPerInvocation !== 4) {
    throw bad(`expected 1, 2 or 4, got ${describe(rowsPerInvocation)}`, 'variant.rowsPerInvocation');
  }
  if (rowsPerInvocation > 1 && (t !== 1 || cachedChunks !== 0)) {
    throw bad(`rowsPerInvocation > 1 needs threadsPerRow === 1 and cachedChunks === 0 (got ${t} and ${cachedChunks})`, 'variant.rowsPerInvocation');
  }
  const splitRow = (v as RowNormVariant).splitRow ?? 1;
  if (typeof splitRow !== 'number' || !Number.isInteger(splitRow) || splitRow < 1 || splitRow > MAX_SPLIT_ROW) {
    throw bad(`expected an integer in [1, ${MAX_SPLIT_ROW}], got ${describe(splitRow)}`, 'variant.splitRow');
  }
  if (splitRow > 1 && (rowsPerInvocation !== 1 || cachedChunks !== 0)) {
    throw bad(`splitRow > 1 needs rowsPerInvocation === 1 and cachedChunks === 0 (got ${rowsPerInvocation} and ${cachedChunks})`, 'variant.splitRow');
  }
  const out: RowNormVariant = { reduction, vec4, workgroupSize: wg, threadsPerRow: t, cachedChunks, ...(nativeF16 ? { nativeF16 } : {}) };
  if (rowsPerInvocation > 1) return { ...out, rowsPerInvocation };
  if (splitRow > 1) return { ...out, splitRow };
  return out;
}

/**
 * A short label for a variant, as the benchmark prints it: `wg64/t1/vec4/none/reg16`, with `/x4`
 * appended for four rows per invocation and `/split8` for rows split into 8 segments; native f16
 * access reads `f16x4` (vec4) or `f16` instead of `vec4` / `scalar`.
 *
 * @example
 * ```ts
 * describeVariant(norm.encodeLayerNorm(encoder, options)); // e.g. 'wg256/t256/vec4/subgroup/reg1'
 * ```
 */
export function describeVariant(v: RowNormVariant): string {
  const access = v.nativeF16 ? (v.vec4 ? 'f16x4' : 'f16') : v.vec4 ? 'vec4' : 'scalar';
  return `wg${v.workgroupSize}/t${v.threadsPerRow}/${access}/${v.threadsPerRow === 1 ? 'none' : v.reduction}/reg${v.cachedChunks}${(v.rowsPerInvocation ?? 1) > 1 ? `/x${v.rowsPerInvocation}` : ''}${splitSegments(v) > 1 ? `/split${v.splitRow}` : ''}`;
}
