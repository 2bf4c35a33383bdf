/**
 * Case tables for GroupNorm / InstanceNorm and BatchNorm on the GPU: shapes × layouts × dtypes,
 * every adversarial pattern on a shape that splits each statistic across several workgroups, the
 * epsilon conventions, the caller's encoder / pass forms, and a few large shapes (a UNet map, a
 * statistic over a million elements) once each. Pruned to what SwiftShader runs in about a minute
 * per file. Each row states its whole case, so a new row changes no other case; give it a new seed.
 */
import type { ChannelPattern } from '../shared/channel-data.js';
import type { ChannelNormCase, ChannelOp } from './channel-norm-case.js';

/**
 * What a row may add: the epsilon convention, the unbiased variance, a forced GPU layout, GroupNorm's
 * activation, BatchNorm training's momentum / running variance / separate running outputs.
 */
interface RowOptions {
  readonly epsilonMode?: 'inside-sqrt' | 'add-to-std';
  readonly unbiased?: boolean;
  readonly statsLayout?: 'workgroup';
  readonly activation?: 'silu';
  readonly momentum?: number;
  readonly runningVarUnbiased?: boolean;
  readonly newRunning?: boolean;
}

/** seed, op, batch, channels, spatial, groups (groupNorm, else null), layout, dtype, pattern, affine, epsilon, form, options. */
type Row = readonly [
  seed: number,
  op: ChannelOp,
  batch: number,
  channels: number,
  spatial: number,
  groups: number | null,
  layout: ChannelNormCase['layout'],
  dtype: ChannelNormCase['dtype'],
  pattern: ChannelPattern,
  affine: boolean,
  epsilon: number,
  form: ChannelNormCase['form'],
  options?: RowOptions,
];

function channelCase([seed, op, batch, channels, spatial, groups, layout, dtype, pattern, affine, epsilon, form, options = {}]: Row): ChannelNormCase {
  return { op, batch, channels, spatial, ...(groups !== null ? { groups } : {}), layout, dtype, pattern, affine, epsilon, form, ...options, seed };
}

export function caseName(c: ChannelNormCase): string {
  const g = (c.op === 'groupNorm' ? ` g${c.groups}` : '') + (c.statsLayout ? ` [${c.statsLayout} layout]` : '');
  const eps = [
    c.epsilonMode === 'add-to-std' ? 'add-to-std' : '',
    c.unbiased ? 'unbiased' : '',
    // Only set on the rows that test them, so the older cases keep their names (and digests' keys).
    c.activation ?? '',
    c.momentum !== undefined ? `momentum=${c.momentum}` : '',
    c.runningVarUnbiased === false ? 'biased-running' : '',
    c.newRunning ? 'new-running' : '',
  ]
    .filter(Boolean)
    .join(' ');
  return `${c.op} ${c.batch}x${c.channels}x${c.spatial}${g} ${c.layout} ${c.dtype} ${c.pattern}${c.affine ? ' affine' : ''}${eps ? ' ' + eps : ''} ${c.form} seed=${c.seed}`;
}

/**
 * The elementwise entry point the rule must pick for a case (the spec, written out independently of
 * src/ops/channel/apply.ts): on this CPU adapter a span per invocation where the layout allows,
 * one unit per invocation on a normalizer profiled as a GPU and for the fallbacks.
 */
export function expectedApply(c: ChannelNormCase): string {
  const elements = c.batch * c.channels * c.spatial;
  const perUnit = c.dtype === 'f16' ? 'f16' : (c.layout === 'NCHW' ? c.spatial % 4 === 0 : c.channels % 4 === 0) ? 'vec4' : 'scalar';
  if (c.statsLayout === 'workgroup') return perUnit;
  if (c.layout === 'NCHW') return c.dtype === 'f16' ? 'span-f16' : elements % 4 === 0 ? 'span' : perUnit;
  if (c.dtype === 'f16') return c.channels % 2 === 0 ? 'columns-f16' : perUnit;
  return c.channels % 4 === 0 ? 'columns' : 'columns-scalar';
}

/**
 * Whether the rule must pick the fused GroupNorm layout (one dispatch, one invocation per (image,
 * group)) for a case, written out independently of src/ops/group-norm/encode.ts: on this CPU adapter,
 * NCHW, at least 8 statistics, and for f16 an even group length.
 */
export function expectedFused(c: ChannelNormCase): boolean {
  if (c.statsLayout !== undefined || c.layout !== 'NCHW' || (c.op !== 'groupNorm' && c.op !== 'instanceNorm')) return false;
  const groups = c.op === 'groupNorm' ? c.groups! : c.channels;
  const groupLength = (c.channels / groups) * c.spatial;
  return c.batch * groups >= 8 && (c.dtype === 'f32' || groupLength % 2 === 0);
}

/**
 * The statistics layout the rule must pick for a case on this CPU adapter: the forced one if any,
 * else fused (see expectedFused), else the invocation layout unless x is under 16 bytes (its
 * vector view cannot bind to less).
 */
export function expectedStatsLayout(c: ChannelNormCase): string {
  if (c.statsLayout !== undefined) return c.statsLayout;
  if (expectedFused(c)) return 'fused';
  const n = c.batch * c.channels * c.spatial;
  const bytes = c.dtype === 'f16' ? Math.ceil(n / 2) * 4 : n * 4;
  return bytes >= 16 ? 'invocation' : 'workgroup';
}

const GROUP_NORM: readonly Row[] = [
  // Shapes: odd spatial sizes, channels not a multiple of 4, groups 1 / 2 / 32 / channels, batch 1 and
  // 3, odd f16 element counts (groups and channel maps starting mid-word).
  [1, 'groupNorm', 1, 6, 49, 3, 'NCHW', 'f32', 'normal', true, 1e-5, 'convenience'],
  [2, 'groupNorm', 1, 6, 49, 3, 'NCHW', 'f16', 'normal', true, 1e-5, 'convenience'],
  [3, 'groupNorm', 1, 6, 49, 3, 'NHWC', 'f32', 'normal', true, 1e-5, 'convenience'],
  [4, 'groupNorm', 1, 6, 49, 3, 'NHWC', 'f16', 'normal', true, 1e-5, 'convenience'],
  [5, 'groupNorm', 3, 6, 49, 2, 'NCHW', 'f32', 'normal', true, 1e-5, 'convenience'],
  [6, 'groupNorm', 3, 6, 49, 2, 'NCHW', 'f16', 'normal', true, 1e-5, 'convenience'],
  [7, 'groupNorm', 3, 6, 49, 2, 'NHWC', 'f32', 'normal', true, 1e-5, 'convenience'],
  [8, 'groupNorm', 3, 6, 49, 2, 'NHWC', 'f16', 'normal', true, 1e-5, 'convenience'],
  [9, 'groupNorm', 3, 10, 7, 1, 'NCHW', 'f32', 'normal', true, 1e-5, 'convenience'],
  [10, 'groupNorm', 3, 10, 7, 1, 'NCHW', 'f16', 'normal', true, 1e-5, 'convenience'],
  [11, 'groupNorm', 3, 10, 7, 1, 'NHWC', 'f32', 'normal', true, 1e-5, 'convenience'],
  [12, 'groupNorm', 3, 10, 7, 1, 'NHWC', 'f16', 'normal', true, 1e-5, 'convenience'],
  [13, 'groupNorm', 1, 64, 289, 32, 'NCHW', 'f32', 'normal', true, 1e-5, 'convenience'],
  [14, 'groupNorm', 1, 64, 289, 32, 'NCHW', 'f16', 'normal', true, 1e-5, 'convenience'],
  [15, 'groupNorm', 1, 64, 289, 32, 'NHWC', 'f32', 'normal', true, 1e-5, 'convenience'],
  [16, 'groupNorm', 1, 64, 289, 32, 'NHWC', 'f16', 'normal', true, 1e-5, 'convenience'],
  [17, 'groupNorm', 1, 7, 9, 7, 'NCHW', 'f32', 'normal', true, 1e-5, 'convenience'],
  [18, 'groupNorm', 1, 7, 9, 7, 'NCHW', 'f16', 'normal', true, 1e-5, 'convenience'],
  [19, 'groupNorm', 1, 7, 9, 7, 'NHWC', 'f32', 'normal', true, 1e-5, 'convenience'],
  [20, 'groupNorm', 1, 7, 9, 7, 'NHWC', 'f16', 'normal', true, 1e-5, 'convenience'],
  [21, 'groupNorm', 2, 8, 64, 4, 'NCHW', 'f32', 'normal', false, 1e-5, 'convenience'],
  [22, 'groupNorm', 2, 8, 64, 4, 'NCHW', 'f16', 'normal', false, 1e-5, 'convenience'],
  [23, 'groupNorm', 2, 8, 64, 4, 'NHWC', 'f32', 'normal', false, 1e-5, 'convenience'],
  [24, 'groupNorm', 2, 8, 64, 4, 'NHWC', 'f16', 'normal', false, 1e-5, 'convenience'],
  [25, 'instanceNorm', 3, 5, 49, null, 'NCHW', 'f32', 'normal', true, 1e-5, 'convenience'],
  [26, 'instanceNorm', 3, 5, 49, null, 'NCHW', 'f16', 'normal', true, 1e-5, 'convenience'],
  [27, 'instanceNorm', 3, 5, 49, null, 'NHWC', 'f32', 'normal', true, 1e-5, 'convenience'],
  [28, 'instanceNorm', 3, 5, 49, null, 'NHWC', 'f16', 'normal', true, 1e-5, 'convenience'],
  [29, 'instanceNorm', 1, 12, 1089, null, 'NCHW', 'f32', 'normal', true, 1e-5, 'convenience'],
  [30, 'instanceNorm', 1, 12, 1089, null, 'NCHW', 'f16', 'normal', true, 1e-5, 'convenience'],
  [31, 'instanceNorm', 1, 12, 1089, null, 'NHWC', 'f32', 'normal', true, 1e-5, 'convenience'],
  [32, 'instanceNorm', 1, 12, 1089, null, 'NHWC', 'f16', 'normal', true, 1e-5, 'convenience'],
  // Every adversarial pattern on a shape whose groups span several pass-1 chunks (2 in NCHW, 5 per
  // channel column in NHWC), both layouts and dtypes.
  [33, 'groupNorm', 2, 6, 4099, 2, 'NCHW', 'f32', 'normal', true, 1e-5, 'convenience'],
  [34, 'groupNorm', 2, 6, 4099, 2, 'NCHW', 'f16', 'normal', true, 1e-5, 'convenience'],
  [35, 'groupNorm', 2, 6, 4099, 2, 'NHWC', 'f32', 'normal', true, 1e-5, 'convenience'],
  [36, 'groupNorm', 2, 6, 4099, 2, 'NHWC', 'f16', 'normal', true, 1e-5, 'convenience'],
  [37, 'groupNorm', 2, 6, 4099, 2, 'NCHW', 'f32', 'offset', true, 1e-5, 'convenience'],
  [38, 'groupNorm', 2, 6, 4099, 2, 'NCHW', 'f16', 'offset', true, 1e-5, 'convenience'],
  [39, 'groupNorm', 2, 6, 4099, 2, 'NHWC', 'f32', 'offset', true, 1e-5, 'convenience'],
  [40, 'groupNorm', 2, 6, 4099, 2, 'NHWC', 'f16', 'offset', true, 1e-5, 'convenience'],
  [41, 'groupNorm', 2, 6, 4099, 2, 'NCHW', 'f32', 'zero-variance', true, 1e-5, 'convenience'],
  [42, 'groupNorm', 2, 6, 4099, 2, 'NCHW', 'f16', 'zero-variance', true, 1e-5, 'convenience'],
  [43, 'groupNorm', 2, 6, 4099, 2, 'NHWC', 'f32', 'zero-variance', true, 1e-5, 'convenience'],
  [44, 'groupNorm', 2, 6, 4099, 2, 'NHWC', 'f16', 'zero-variance', true, 1e-5, 'convenience'],
  [45, 'groupNorm', 2, 6, 4099, 2, 'NCHW', 'f32', 'tiny-variance', true, 1e-5, 'convenience'],
  [46, 'groupNorm', 2, 6, 4099, 2, 'NCHW', 'f16', 'tiny-variance', true, 1e-5, 'convenience'],
  [47, 'groupNorm', 2, 6, 4099, 2, 'NHWC', 'f32', 'tiny-variance', true, 1e-5, 'convenience'],
  [48, 'groupNorm', 2, 6, 4099, 2, 'NHWC', 'f16', 'tiny-variance', true, 1e-5, 'convenience'],
  [49, 'groupNorm', 2, 6, 4099, 2, 'NCHW', 'f32', 'f16-extreme', true, 1e-5, 'convenience'],
  [50, 'groupNorm', 2, 6, 4099, 2, 'NCHW', 'f16', 'f16-extreme', true, 1e-5, 'convenience'],
  [51, 'groupNorm', 2, 6, 4099, 2, 'NHWC', 'f32', 'f16-extreme', true, 1e-5, 'convenience'],
  [52, 'groupNorm', 2, 6, 4099, 2, 'NHWC', 'f16', 'f16-extreme', true, 1e-5, 'convenience'],
  [53, 'groupNorm', 2, 6, 4099, 2, 'NCHW', 'f32', 'mixed-scale', true, 1e-5, 'convenience'],
  [54, 'groupNorm', 2, 6, 4099, 2, 'NCHW', 'f16', 'mixed-scale', true, 1e-5, 'convenience'],
  [55, 'groupNorm', 2, 6, 4099, 2, 'NHWC', 'f32', 'mixed-scale', true, 1e-5, 'convenience'],
  [56, 'groupNorm', 2, 6, 4099, 2, 'NHWC', 'f16', 'mixed-scale', true, 1e-5, 'convenience'],
  [57, 'groupNorm', 2, 6, 4099, 2, 'NCHW', 'f32', 'nan-unit', true, 1e-5, 'convenience'],
  [58, 'groupNorm', 2, 6, 4099, 2, 'NCHW', 'f16', 'nan-unit', true, 1e-5, 'convenience'],
  [59, 'groupNorm', 2, 6, 4099, 2, 'NHWC', 'f32', 'nan-unit', true, 1e-5, 'convenience'],
  [60, 'groupNorm', 2, 6, 4099, 2, 'NHWC', 'f16', 'nan-unit', true, 1e-5, 'convenience'],
  // Epsilon conventions and the unbiased variance (rstd must be the factor applied).
  [61, 'groupNorm', 2, 12, 25, 4, 'NCHW', 'f32', 'normal', true, 0.001, 'convenience', { epsilonMode: 'add-to-std' }],
  [62, 'groupNorm', 2, 12, 25, 4, 'NCHW', 'f16', 'normal', true, 1e-5, 'convenience', { unbiased: true }],
  [63, 'instanceNorm', 1, 9, 30, null, 'NCHW', 'f32', 'normal', true, 1e-5, 'convenience', { epsilonMode: 'add-to-std', unbiased: true }],
  [64, 'groupNorm', 1, 8, 16, 2, 'NCHW', 'f32', 'tiny-variance', true, 1e-12, 'convenience'],
  [65, 'groupNorm', 2, 12, 25, 4, 'NHWC', 'f32', 'normal', true, 0.001, 'convenience', { epsilonMode: 'add-to-std' }],
  [66, 'groupNorm', 2, 12, 25, 4, 'NHWC', 'f16', 'normal', true, 1e-5, 'convenience', { unbiased: true }],
  [67, 'instanceNorm', 1, 9, 30, null, 'NHWC', 'f32', 'normal', true, 1e-5, 'convenience', { epsilonMode: 'add-to-std', unbiased: true }],
  [68, 'groupNorm', 1, 8, 16, 2, 'NHWC', 'f32', 'tiny-variance', true, 1e-12, 'convenience'],
  // The caller's encoder and compute pass, operands at non-zero offsets in sentinel-filled buffers.
  [69, 'groupNorm', 3, 6, 49, 3, 'NCHW', 'f16', 'offset', true, 1e-5, 'encode'],
  [70, 'instanceNorm', 1, 7, 9, null, 'NCHW', 'f16', 'nan-unit', true, 1e-5, 'encode'],
  [71, 'groupNorm', 2, 16, 100, 8, 'NCHW', 'f32', 'mixed-scale', true, 1e-5, 'encode'],
  [72, 'groupNorm', 3, 6, 49, 3, 'NHWC', 'f16', 'offset', true, 1e-5, 'encode'],
  [73, 'instanceNorm', 1, 7, 9, null, 'NHWC', 'f16', 'nan-unit', true, 1e-5, 'encode'],
  [74, 'groupNorm', 2, 16, 100, 8, 'NHWC', 'f32', 'mixed-scale', true, 1e-5, 'encode'],
  [75, 'groupNorm', 3, 6, 49, 3, 'NCHW', 'f16', 'offset', true, 1e-5, 'pass'],
  [76, 'instanceNorm', 1, 7, 9, null, 'NCHW', 'f16', 'nan-unit', true, 1e-5, 'pass'],
  [77, 'groupNorm', 2, 16, 100, 8, 'NCHW', 'f32', 'mixed-scale', true, 1e-5, 'pass'],
  [78, 'groupNorm', 3, 6, 49, 3, 'NHWC', 'f16', 'offset', true, 1e-5, 'pass'],
  [79, 'instanceNorm', 1, 7, 9, null, 'NHWC', 'f16', 'nan-unit', true, 1e-5, 'pass'],
  [80, 'groupNorm', 2, 16, 100, 8, 'NHWC', 'f32', 'mixed-scale', true, 1e-5, 'pass'],
  // A diffusion UNet's GroupNorm (32 groups of 10 channels over 64x64) and a group over 2^20 elements
  // (a 512x512 map of 4 channels), which must be split across many workgroups.
  [81, 'groupNorm', 1, 320, 4096, 32, 'NCHW', 'f32', 'normal', true, 1e-5, 'encode'],
  [82, 'groupNorm', 1, 320, 4096, 32, 'NCHW', 'f16', 'offset', true, 1e-5, 'encode'],
  [83, 'groupNorm', 1, 320, 4096, 32, 'NHWC', 'f32', 'normal', true, 1e-5, 'encode'],
  [84, 'groupNorm', 1, 320, 4096, 32, 'NHWC', 'f16', 'offset', true, 1e-5, 'encode'],
  [85, 'groupNorm', 1, 4, 262144, 1, 'NCHW', 'f32', 'offset', true, 1e-5, 'encode'],
  // More statistics (and pass-1 workgroups) than maxComputeWorkgroupsPerDimension: 2D grids.
  [86, 'instanceNorm', 1, 70001, 3, null, 'NCHW', 'f16', 'mixed-scale', true, 1e-5, 'encode'],
  [87, 'groupNorm', 1, 4, 262144, 1, 'NHWC', 'f16', 'f16-extreme', true, 1e-5, 'encode'],
  // Statistics layouts. The automatic rule picks the invocation layout on this CPU adapter: chunks
  // whose local pivot is an outlier (spikes) take the exact second pass; NHWC with channels % 4 != 0
  // uses scalar loads (channels 6 and 10 above), f16 spans start and end mid-vector (odd sizes).
  [88, 'groupNorm', 2, 8, 4096, 2, 'NCHW', 'f32', 'spikes', true, 1e-5, 'encode'],
  [89, 'groupNorm', 1, 10, 4099, 5, 'NCHW', 'f32', 'spikes', true, 1e-5, 'convenience'],
  [90, 'groupNorm', 2, 8, 4096, 2, 'NCHW', 'f16', 'spikes', true, 1e-5, 'encode'],
  [91, 'groupNorm', 1, 10, 4099, 5, 'NCHW', 'f16', 'spikes', true, 1e-5, 'convenience'],
  [92, 'instanceNorm', 1, 1, 3, null, 'NCHW', 'f32', 'normal', true, 1e-5, 'convenience'],
  [93, 'groupNorm', 2, 8, 4096, 2, 'NHWC', 'f32', 'spikes', true, 1e-5, 'encode'],
  [94, 'groupNorm', 1, 10, 4099, 5, 'NHWC', 'f32', 'spikes', true, 1e-5, 'convenience'],
  [95, 'groupNorm', 2, 8, 4096, 2, 'NHWC', 'f16', 'spikes', true, 1e-5, 'encode'],
  [96, 'groupNorm', 1, 10, 4099, 5, 'NHWC', 'f16', 'spikes', true, 1e-5, 'convenience'],
  [97, 'instanceNorm', 1, 1, 3, null, 'NHWC', 'f32', 'normal', true, 1e-5, 'convenience'],
  // Elementwise span layouts (automatic here): NCHW vectors straddling two maps (spatial 49) or several
  // (spatial 3), f16 words straddling maps; NHWC channel quads over several position chunks, aligned
  // (12 channels), partial (6, 10), f16 with a one-word last quad (6); mean-1e4 offsets, NaN in one
  // group.
  [98, 'groupNorm', 1, 4, 49, 2, 'NCHW', 'f32', 'offset', true, 1e-5, 'encode'],
  [99, 'groupNorm', 3, 4, 3, 2, 'NCHW', 'f32', 'offset', true, 1e-5, 'encode'],
  [100, 'groupNorm', 3, 5, 4099, 5, 'NCHW', 'f16', 'offset', true, 1e-5, 'encode'],
  [101, 'instanceNorm', 2, 12, 1333, null, 'NHWC', 'f32', 'offset', true, 1e-5, 'encode'],
  [102, 'groupNorm', 2, 10, 1333, 5, 'NHWC', 'f32', 'offset', true, 1e-5, 'encode'],
  [103, 'groupNorm', 2, 6, 1333, 3, 'NHWC', 'f16', 'offset', true, 1e-5, 'encode'],
  [104, 'groupNorm', 1, 4, 49, 2, 'NCHW', 'f32', 'nan-unit', true, 1e-5, 'encode'],
  [105, 'groupNorm', 3, 4, 3, 2, 'NCHW', 'f32', 'nan-unit', true, 1e-5, 'encode'],
  [106, 'groupNorm', 3, 5, 4099, 5, 'NCHW', 'f16', 'nan-unit', true, 1e-5, 'encode'],
  [107, 'instanceNorm', 2, 12, 1333, null, 'NHWC', 'f32', 'nan-unit', true, 1e-5, 'encode'],
  [108, 'groupNorm', 2, 10, 1333, 5, 'NHWC', 'f32', 'nan-unit', true, 1e-5, 'encode'],
  [109, 'groupNorm', 2, 6, 1333, 3, 'NHWC', 'f16', 'nan-unit', true, 1e-5, 'encode'],
  // The fused layout (automatic here: NCHW, >= 8 groups): every adversarial pattern and spikes (outlier
  // pivots: the exact second pass over a whole group) on groups of 8198 elements with odd spatial (f32
  // element by element; f16 words straddling the two maps of a group), and on spatial % 4 == 0 (f32
  // vectors); InstanceNorm (groups of one channel). Odd f16 group lengths keep the three-dispatch
  // layout (3x5x4099 above).
  [110, 'groupNorm', 2, 8, 4099, 4, 'NCHW', 'f32', 'normal', true, 1e-5, 'encode'],
  [111, 'groupNorm', 2, 8, 4099, 4, 'NCHW', 'f16', 'normal', true, 1e-5, 'encode'],
  [112, 'groupNorm', 2, 16, 1024, 8, 'NCHW', 'f32', 'normal', true, 1e-5, 'encode'],
  [113, 'groupNorm', 2, 8, 4099, 4, 'NCHW', 'f32', 'offset', true, 1e-5, 'encode'],
  [114, 'groupNorm', 2, 8, 4099, 4, 'NCHW', 'f16', 'offset', true, 1e-5, 'encode'],
  [115, 'groupNorm', 2, 16, 1024, 8, 'NCHW', 'f32', 'offset', true, 1e-5, 'encode'],
  [116, 'groupNorm', 2, 8, 4099, 4, 'NCHW', 'f32', 'zero-variance', true, 1e-5, 'encode'],
  [117, 'groupNorm', 2, 8, 4099, 4, 'NCHW', 'f16', 'zero-variance', true, 1e-5, 'encode'],
  [118, 'groupNorm', 2, 16, 1024, 8, 'NCHW', 'f32', 'zero-variance', true, 1e-5, 'encode'],
  [119, 'groupNorm', 2, 8, 4099, 4, 'NCHW', 'f32', 'tiny-variance', true, 1e-5, 'encode'],
  [120, 'groupNorm', 2, 8, 4099, 4, 'NCHW', 'f16', 'tiny-variance', true, 1e-5, 'encode'],
  [121, 'groupNorm', 2, 16, 1024, 8, 'NCHW', 'f32', 'tiny-variance', true, 1e-5, 'encode'],
  [122, 'groupNorm', 2, 8, 4099, 4, 'NCHW', 'f16', 'f16-extreme', true, 1e-5, 'encode'],
  [123, 'groupNorm', 2, 16, 1024, 8, 'NCHW', 'f16', 'f16-extreme', true, 1e-5, 'encode'],
  [124, 'groupNorm', 2, 8, 4099, 4, 'NCHW', 'f32', 'mixed-scale', true, 1e-5, 'encode'],
  [125, 'groupNorm', 2, 8, 4099, 4, 'NCHW', 'f16', 'mixed-scale', true, 1e-5, 'encode'],
  [126, 'groupNorm', 2, 16, 1024, 8, 'NCHW', 'f32', 'mixed-scale', true, 1e-5, 'encode'],
  [127, 'groupNorm', 2, 8, 4099, 4, 'NCHW', 'f32', 'nan-unit', true, 1e-5, 'encode'],
  [128, 'groupNorm', 2, 8, 4099, 4, 'NCHW', 'f16', 'nan-unit', true, 1e-5, 'encode'],
  [129, 'groupNorm', 2, 16, 1024, 8, 'NCHW', 'f32', 'nan-unit', true, 1e-5, 'encode'],
  [130, 'groupNorm', 2, 8, 4099, 4, 'NCHW', 'f32', 'spikes', true, 1e-5, 'encode'],
  [131, 'groupNorm', 2, 8, 4099, 4, 'NCHW', 'f16', 'spikes', true, 1e-5, 'encode'],
  [132, 'groupNorm', 2, 16, 1024, 8, 'NCHW', 'f32', 'spikes', true, 1e-5, 'encode'],
  [133, 'instanceNorm', 2, 8, 1024, null, 'NCHW', 'f32', 'offset', true, 1e-5, 'encode'],
  [134, 'instanceNorm', 2, 8, 1024, null, 'NCHW', 'f32', 'nan-unit', true, 1e-5, 'encode'],
  [135, 'instanceNorm', 2, 8, 1024, null, 'NCHW', 'f32', 'zero-variance', true, 1e-5, 'encode'],
  [136, 'instanceNorm', 1, 10, 51, null, 'NCHW', 'f32', 'spikes', true, 1e-5, 'encode'],
  [137, 'instanceNorm', 2, 8, 1024, null, 'NCHW', 'f16', 'offset', true, 1e-5, 'encode'],
  [138, 'instanceNorm', 2, 8, 1024, null, 'NCHW', 'f16', 'nan-unit', true, 1e-5, 'encode'],
  [139, 'instanceNorm', 2, 8, 1024, null, 'NCHW', 'f16', 'zero-variance', true, 1e-5, 'encode'],
  [140, 'instanceNorm', 1, 10, 51, null, 'NCHW', 'f16', 'spikes', true, 1e-5, 'encode'],
  // The GPU (workgroup) layout, forced, on the shapes above and the adversarial patterns.
  [141, 'groupNorm', 1, 6, 49, 3, 'NCHW', 'f32', 'normal', true, 1e-5, 'encode', { statsLayout: 'workgroup' }],
  [142, 'groupNorm', 1, 6, 49, 3, 'NHWC', 'f32', 'normal', true, 1e-5, 'encode', { statsLayout: 'workgroup' }],
  [143, 'groupNorm', 3, 6, 49, 2, 'NCHW', 'f32', 'normal', true, 1e-5, 'encode', { statsLayout: 'workgroup' }],
  [144, 'groupNorm', 3, 6, 49, 2, 'NHWC', 'f32', 'normal', true, 1e-5, 'encode', { statsLayout: 'workgroup' }],
  [145, 'groupNorm', 3, 10, 7, 1, 'NCHW', 'f32', 'normal', true, 1e-5, 'encode', { statsLayout: 'workgroup' }],
  [146, 'groupNorm', 3, 10, 7, 1, 'NHWC', 'f32', 'normal', true, 1e-5, 'encode', { statsLayout: 'workgroup' }],
  [147, 'groupNorm', 1, 64, 289, 32, 'NCHW', 'f32', 'normal', true, 1e-5, 'encode', { statsLayout: 'workgroup' }],
  [148, 'groupNorm', 1, 64, 289, 32, 'NHWC', 'f32', 'normal', true, 1e-5, 'encode', { statsLayout: 'workgroup' }],
  [149, 'groupNorm', 1, 7, 9, 7, 'NCHW', 'f16', 'normal', true, 1e-5, 'encode', { statsLayout: 'workgroup' }],
  [150, 'groupNorm', 1, 7, 9, 7, 'NHWC', 'f16', 'normal', true, 1e-5, 'encode', { statsLayout: 'workgroup' }],
  [151, 'groupNorm', 2, 8, 64, 4, 'NCHW', 'f32', 'normal', false, 1e-5, 'encode', { statsLayout: 'workgroup' }],
  [152, 'groupNorm', 2, 8, 64, 4, 'NHWC', 'f32', 'normal', false, 1e-5, 'encode', { statsLayout: 'workgroup' }],
  [153, 'instanceNorm', 3, 5, 49, null, 'NCHW', 'f16', 'normal', true, 1e-5, 'encode', { statsLayout: 'workgroup' }],
  [154, 'instanceNorm', 3, 5, 49, null, 'NHWC', 'f16', 'normal', true, 1e-5, 'encode', { statsLayout: 'workgroup' }],
  [155, 'instanceNorm', 1, 12, 1089, null, 'NCHW', 'f32', 'normal', true, 1e-5, 'encode', { statsLayout: 'workgroup' }],
  [156, 'instanceNorm', 1, 12, 1089, null, 'NHWC', 'f32', 'normal', true, 1e-5, 'encode', { statsLayout: 'workgroup' }],
  [157, 'groupNorm', 2, 6, 4099, 2, 'NCHW', 'f32', 'offset', true, 1e-5, 'convenience', { statsLayout: 'workgroup' }],
  [158, 'groupNorm', 2, 6, 4099, 2, 'NHWC', 'f32', 'offset', true, 1e-5, 'convenience', { statsLayout: 'workgroup' }],
  [159, 'groupNorm', 2, 6, 4099, 2, 'NCHW', 'f32', 'zero-variance', true, 1e-5, 'convenience', { statsLayout: 'workgroup' }],
  [160, 'groupNorm', 2, 6, 4099, 2, 'NHWC', 'f32', 'zero-variance', true, 1e-5, 'convenience', { statsLayout: 'workgroup' }],
  [161, 'groupNorm', 2, 6, 4099, 2, 'NCHW', 'f16', 'f16-extreme', true, 1e-5, 'convenience', { statsLayout: 'workgroup' }],
  [162, 'groupNorm', 2, 6, 4099, 2, 'NHWC', 'f16', 'f16-extreme', true, 1e-5, 'convenience', { statsLayout: 'workgroup' }],
  [163, 'groupNorm', 2, 6, 4099, 2, 'NCHW', 'f32', 'nan-unit', true, 1e-5, 'convenience', { statsLayout: 'workgroup' }],
  [164, 'groupNorm', 2, 6, 4099, 2, 'NHWC', 'f32', 'nan-unit', true, 1e-5, 'convenience', { statsLayout: 'workgroup' }],
  [165, 'groupNorm', 2, 6, 4099, 2, 'NCHW', 'f32', 'spikes', true, 1e-5, 'convenience', { statsLayout: 'workgroup' }],
  [166, 'groupNorm', 2, 6, 4099, 2, 'NHWC', 'f32', 'spikes', true, 1e-5, 'convenience', { statsLayout: 'workgroup' }],
  // activation 'silu' in every elementwise layout: fused (NCHW, >= 8 groups: f32 vectors, f32 odd
  // spatial, f16), span / span-f16 (NCHW, fewer groups), columns / columns-scalar / columns-f16
  // (NHWC), the one-unit kinds (scalar, f16) and the forced GPU layouts (vec4, scalar, f16); large
  // offsets, zero variance, NaN in one group, f16 extremes, and spikes (normalized values of
  // |v| ~ 60, where exp(|v|) would be near f32's range).
  [167, 'groupNorm', 2, 16, 1024, 8, 'NCHW', 'f32', 'normal', true, 1e-5, 'encode', { activation: 'silu' }],
  [168, 'groupNorm', 2, 8, 4099, 4, 'NCHW', 'f32', 'offset', true, 1e-5, 'encode', { activation: 'silu' }],
  [169, 'groupNorm', 2, 8, 4099, 4, 'NCHW', 'f16', 'offset', true, 1e-5, 'encode', { activation: 'silu' }],
  [170, 'groupNorm', 2, 16, 1024, 8, 'NCHW', 'f32', 'nan-unit', true, 1e-5, 'convenience', { activation: 'silu' }],
  [171, 'groupNorm', 2, 8, 4099, 4, 'NCHW', 'f16', 'zero-variance', true, 1e-5, 'pass', { activation: 'silu' }],
  [172, 'groupNorm', 2, 8, 4096, 2, 'NCHW', 'f32', 'spikes', true, 1e-5, 'encode', { activation: 'silu' }],
  [173, 'groupNorm', 2, 6, 4099, 2, 'NCHW', 'f32', 'normal', true, 1e-5, 'convenience', { activation: 'silu' }],
  [174, 'groupNorm', 2, 6, 4099, 2, 'NCHW', 'f16', 'offset', true, 1e-5, 'convenience', { activation: 'silu' }],
  [175, 'groupNorm', 2, 6, 4099, 2, 'NCHW', 'f32', 'zero-variance', true, 1e-5, 'encode', { activation: 'silu' }],
  [176, 'groupNorm', 2, 6, 4099, 2, 'NCHW', 'f16', 'nan-unit', true, 1e-5, 'encode', { activation: 'silu' }],
  [177, 'groupNorm', 1, 7, 9, 7, 'NCHW', 'f32', 'offset', true, 1e-5, 'convenience', { activation: 'silu' }],
  [178, 'groupNorm', 2, 12, 1333, 4, 'NHWC', 'f32', 'normal', true, 1e-5, 'encode', { activation: 'silu' }],
  [179, 'groupNorm', 2, 6, 4099, 2, 'NHWC', 'f32', 'offset', true, 1e-5, 'convenience', { activation: 'silu' }],
  [180, 'groupNorm', 2, 6, 4099, 2, 'NHWC', 'f16', 'offset', true, 1e-5, 'convenience', { activation: 'silu' }],
  [181, 'groupNorm', 2, 6, 4099, 2, 'NHWC', 'f32', 'nan-unit', true, 1e-5, 'encode', { activation: 'silu' }],
  [182, 'groupNorm', 2, 6, 4099, 2, 'NHWC', 'f16', 'zero-variance', true, 1e-5, 'pass', { activation: 'silu' }],
  [183, 'groupNorm', 2, 6, 4099, 2, 'NHWC', 'f16', 'f16-extreme', true, 1e-5, 'encode', { activation: 'silu' }],
  [184, 'groupNorm', 2, 8, 4096, 2, 'NHWC', 'f16', 'spikes', true, 1e-5, 'encode', { activation: 'silu' }],
  [185, 'instanceNorm', 3, 5, 49, null, 'NHWC', 'f16', 'normal', true, 1e-5, 'convenience', { activation: 'silu' }],
  [186, 'instanceNorm', 1, 9, 30, null, 'NCHW', 'f32', 'mixed-scale', true, 1e-5, 'convenience', { activation: 'silu', epsilonMode: 'add-to-std', unbiased: true }],
  [187, 'instanceNorm', 2, 8, 1024, null, 'NCHW', 'f16', 'nan-unit', true, 1e-5, 'encode', { activation: 'silu' }],
  [188, 'groupNorm', 2, 8, 64, 4, 'NCHW', 'f32', 'normal', true, 1e-5, 'encode', { activation: 'silu', statsLayout: 'workgroup' }],
  [189, 'groupNorm', 1, 6, 49, 3, 'NCHW', 'f32', 'offset', true, 1e-5, 'encode', { activation: 'silu', statsLayout: 'workgroup' }],
  [190, 'groupNorm', 1, 7, 9, 7, 'NHWC', 'f16', 'normal', true, 1e-5, 'encode', { activation: 'silu', statsLayout: 'workgroup' }],
  [191, 'groupNorm', 2, 8, 64, 4, 'NHWC', 'f32', 'nan-unit', true, 1e-5, 'convenience', { activation: 'silu', statsLayout: 'workgroup' }],
  [192, 'groupNorm', 2, 6, 4099, 2, 'NCHW', 'f16', 'zero-variance', true, 1e-5, 'convenience', { activation: 'silu', statsLayout: 'workgroup' }],
  [193, 'groupNorm', 2, 6, 4099, 2, 'NHWC', 'f32', 'spikes', true, 1e-5, 'convenience', { activation: 'silu', statsLayout: 'workgroup' }],
];

const BATCH_NORM: readonly Row[] = [
  // Statistics: shapes × layouts × dtypes.
  [1, 'batchNormStats', 3, 6, 49, null, 'NCHW', 'f32', 'normal', true, 1e-5, 'convenience'],
  [2, 'batchNormStats', 3, 6, 49, null, 'NCHW', 'f16', 'normal', true, 1e-5, 'convenience'],
  [3, 'batchNormStats', 3, 6, 49, null, 'NHWC', 'f32', 'normal', true, 1e-5, 'convenience'],
  [4, 'batchNormStats', 3, 6, 49, null, 'NHWC', 'f16', 'normal', true, 1e-5, 'convenience'],
  [5, 'batchNormStats', 1, 5, 7, null, 'NCHW', 'f32', 'normal', true, 1e-5, 'convenience'],
  [6, 'batchNormStats', 1, 5, 7, null, 'NCHW', 'f16', 'normal', true, 1e-5, 'convenience'],
  [7, 'batchNormStats', 1, 5, 7, null, 'NHWC', 'f32', 'normal', true, 1e-5, 'convenience'],
  [8, 'batchNormStats', 1, 5, 7, null, 'NHWC', 'f16', 'normal', true, 1e-5, 'convenience'],
  [9, 'batchNormStats', 4, 64, 225, null, 'NCHW', 'f32', 'normal', true, 1e-5, 'convenience'],
  [10, 'batchNormStats', 4, 64, 225, null, 'NCHW', 'f16', 'normal', true, 1e-5, 'convenience'],
  [11, 'batchNormStats', 4, 64, 225, null, 'NHWC', 'f32', 'normal', true, 1e-5, 'convenience'],
  [12, 'batchNormStats', 4, 64, 225, null, 'NHWC', 'f16', 'normal', true, 1e-5, 'convenience'],
  [13, 'batchNormStats', 3, 3, 4099, null, 'NCHW', 'f32', 'normal', true, 1e-5, 'convenience'],
  [14, 'batchNormStats', 3, 3, 4099, null, 'NHWC', 'f32', 'normal', true, 1e-5, 'convenience'],
  [15, 'batchNormStats', 3, 3, 4099, null, 'NCHW', 'f32', 'offset', true, 1e-5, 'convenience'],
  [16, 'batchNormStats', 3, 3, 4099, null, 'NHWC', 'f32', 'offset', true, 1e-5, 'convenience'],
  [17, 'batchNormStats', 3, 3, 4099, null, 'NCHW', 'f32', 'zero-variance', true, 1e-5, 'convenience'],
  [18, 'batchNormStats', 3, 3, 4099, null, 'NHWC', 'f32', 'zero-variance', true, 1e-5, 'convenience'],
  [19, 'batchNormStats', 3, 3, 4099, null, 'NCHW', 'f32', 'tiny-variance', true, 1e-5, 'convenience'],
  [20, 'batchNormStats', 3, 3, 4099, null, 'NHWC', 'f32', 'tiny-variance', true, 1e-5, 'convenience'],
  [21, 'batchNormStats', 3, 3, 4099, null, 'NCHW', 'f16', 'f16-extreme', true, 1e-5, 'convenience'],
  [22, 'batchNormStats', 3, 3, 4099, null, 'NHWC', 'f16', 'f16-extreme', true, 1e-5, 'convenience'],
  [23, 'batchNormStats', 3, 3, 4099, null, 'NCHW', 'f32', 'mixed-scale', true, 1e-5, 'convenience'],
  [24, 'batchNormStats', 3, 3, 4099, null, 'NHWC', 'f32', 'mixed-scale', true, 1e-5, 'convenience'],
  [25, 'batchNormStats', 3, 3, 4099, null, 'NCHW', 'f32', 'nan-unit', true, 1e-5, 'convenience'],
  [26, 'batchNormStats', 3, 3, 4099, null, 'NHWC', 'f32', 'nan-unit', true, 1e-5, 'convenience'],
  [27, 'batchNormStats', 2, 7, 30, null, 'NCHW', 'f32', 'normal', true, 1e-5, 'encode', { unbiased: true }],
  [28, 'batchNormStats', 3, 5, 49, null, 'NCHW', 'f16', 'offset', true, 1e-5, 'pass'],
  [29, 'batchNormStats', 2, 7, 30, null, 'NHWC', 'f32', 'normal', true, 1e-5, 'encode', { unbiased: true }],
  [30, 'batchNormStats', 3, 5, 49, null, 'NHWC', 'f16', 'offset', true, 1e-5, 'pass'],
  // A channel over 2^20 elements (4 images of 512x512 positions).
  [31, 'batchNormStats', 4, 2, 262144, null, 'NCHW', 'f32', 'offset', true, 1e-5, 'encode'],
  [32, 'batchNormStats', 4, 2, 262144, null, 'NHWC', 'f16', 'offset', true, 1e-5, 'encode'],
  // More channels than maxComputeWorkgroupsPerDimension: 2D grids in both passes.
  [33, 'batchNormStats', 2, 70001, 1, null, 'NCHW', 'f32', 'zero-variance', true, 1e-5, 'encode'],
  // BatchNorm over (N, C) activations (one position per image), the shape an MLP's BatchNorm sees.
  [34, 'batchNormStats', 256, 768, 1, null, 'NCHW', 'f32', 'normal', true, 1e-5, 'convenience'],
  [35, 'batchNormStats', 255, 77, 1, null, 'NCHW', 'f16', 'normal', true, 1e-5, 'convenience', { unbiased: true }],
  // Invocation layout (automatic here): outlier local pivots, aligned and unaligned NHWC columns.
  [36, 'batchNormStats', 3, 8, 4096, null, 'NCHW', 'f32', 'spikes', true, 1e-5, 'encode'],
  [37, 'batchNormStats', 2, 5, 4099, null, 'NCHW', 'f16', 'spikes', true, 1e-5, 'convenience'],
  [38, 'batchNormStats', 3, 8, 4096, null, 'NHWC', 'f32', 'spikes', true, 1e-5, 'encode'],
  [39, 'batchNormStats', 2, 5, 4099, null, 'NHWC', 'f16', 'spikes', true, 1e-5, 'convenience'],
  // The GPU (workgroup) layout, forced.
  [40, 'batchNormStats', 3, 6, 49, null, 'NCHW', 'f32', 'normal', true, 1e-5, 'encode', { statsLayout: 'workgroup' }],
  [41, 'batchNormStats', 3, 6, 49, null, 'NHWC', 'f32', 'normal', true, 1e-5, 'encode', { statsLayout: 'workgroup' }],
  [42, 'batchNormStats', 1, 5, 7, null, 'NCHW', 'f32', 'normal', true, 1e-5, 'encode', { statsLayout: 'workgroup' }],
  [43, 'batchNormStats', 1, 5, 7, null, 'NHWC', 'f32', 'normal', true, 1e-5, 'encode', { statsLayout: 'workgroup' }],
  [44, 'batchNormStats', 4, 64, 225, null, 'NCHW', 'f32', 'normal', true, 1e-5, 'encode', { statsLayout: 'workgroup' }],
  [45, 'batchNormStats', 4, 64, 225, null, 'NHWC', 'f32', 'normal', true, 1e-5, 'encode', { statsLayout: 'workgroup' }],
  [46, 'batchNormStats', 3, 3, 4099, null, 'NCHW', 'f32', 'offset', true, 1e-5, 'convenience', { statsLayout: 'workgroup' }],
  [47, 'batchNormStats', 3, 3, 4099, null, 'NHWC', 'f32', 'offset', true, 1e-5, 'convenience', { statsLayout: 'workgroup' }],
  [48, 'batchNormStats', 3, 3, 4099, null, 'NCHW', 'f32', 'nan-unit', true, 1e-5, 'convenience', { statsLayout: 'workgroup' }],
  [49, 'batchNormStats', 3, 3, 4099, null, 'NHWC', 'f32', 'nan-unit', true, 1e-5, 'convenience', { statsLayout: 'workgroup' }],
  [50, 'batchNormStats', 3, 3, 4099, null, 'NCHW', 'f32', 'spikes', true, 1e-5, 'convenience', { statsLayout: 'workgroup' }],
  [51, 'batchNormStats', 3, 3, 4099, null, 'NHWC', 'f32', 'spikes', true, 1e-5, 'convenience', { statsLayout: 'workgroup' }],
  // Inference: scalar and vec4 paths of both layouts (NCHW vec4 needs spatial % 4 == 0, NHWC vec4
  // channels % 4 == 0), f16 with odd element counts.
  [52, 'batchNormInference', 3, 6, 49, null, 'NCHW', 'f32', 'normal', true, 1e-5, 'convenience'],
  [53, 'batchNormInference', 3, 6, 49, null, 'NCHW', 'f16', 'normal', true, 1e-5, 'convenience'],
  [54, 'batchNormInference', 3, 6, 49, null, 'NHWC', 'f32', 'normal', true, 1e-5, 'convenience'],
  [55, 'batchNormInference', 3, 6, 49, null, 'NHWC', 'f16', 'normal', true, 1e-5, 'convenience'],
  [56, 'batchNormInference', 1, 8, 64, null, 'NCHW', 'f32', 'normal', true, 1e-5, 'convenience'],
  [57, 'batchNormInference', 1, 8, 64, null, 'NCHW', 'f16', 'normal', true, 1e-5, 'convenience'],
  [58, 'batchNormInference', 1, 8, 64, null, 'NHWC', 'f32', 'normal', true, 1e-5, 'convenience'],
  [59, 'batchNormInference', 1, 8, 64, null, 'NHWC', 'f16', 'normal', true, 1e-5, 'convenience'],
  [60, 'batchNormInference', 1, 7, 9, null, 'NCHW', 'f32', 'normal', false, 1e-5, 'convenience'],
  [61, 'batchNormInference', 1, 7, 9, null, 'NCHW', 'f16', 'normal', false, 1e-5, 'convenience'],
  [62, 'batchNormInference', 1, 7, 9, null, 'NHWC', 'f32', 'normal', false, 1e-5, 'convenience'],
  [63, 'batchNormInference', 1, 7, 9, null, 'NHWC', 'f16', 'normal', false, 1e-5, 'convenience'],
  [64, 'batchNormInference', 2, 12, 16, null, 'NCHW', 'f32', 'normal', true, 0.01, 'convenience', { epsilonMode: 'add-to-std' }],
  [65, 'batchNormInference', 2, 12, 16, null, 'NCHW', 'f32', 'offset', true, 1e-5, 'convenience'],
  [66, 'batchNormInference', 2, 6, 25, null, 'NCHW', 'f16', 'nan-unit', true, 1e-5, 'encode'],
  [67, 'batchNormInference', 2, 16, 36, null, 'NCHW', 'f32', 'mixed-scale', true, 1e-5, 'pass'],
  [68, 'batchNormInference', 1, 320, 4096, null, 'NCHW', 'f32', 'normal', true, 1e-5, 'encode'],
  [69, 'batchNormInference', 2, 12, 16, null, 'NHWC', 'f32', 'normal', true, 0.01, 'convenience', { epsilonMode: 'add-to-std' }],
  [70, 'batchNormInference', 2, 12, 16, null, 'NHWC', 'f32', 'offset', true, 1e-5, 'convenience'],
  [71, 'batchNormInference', 2, 6, 25, null, 'NHWC', 'f16', 'nan-unit', true, 1e-5, 'encode'],
  [72, 'batchNormInference', 2, 16, 36, null, 'NHWC', 'f32', 'mixed-scale', true, 1e-5, 'pass'],
  [73, 'batchNormInference', 1, 320, 4096, null, 'NHWC', 'f16', 'normal', true, 1e-5, 'encode'],
  // Elementwise span layouts (automatic here; see groupNormCases) with running statistics, and the
  // one-unit-per-invocation layouts forced on a GPU-profiled normalizer.
  [74, 'batchNormInference', 3, 4, 49, null, 'NCHW', 'f32', 'offset', true, 1e-5, 'encode'],
  [75, 'batchNormInference', 3, 4, 3, null, 'NCHW', 'f32', 'offset', true, 1e-5, 'encode'],
  [76, 'batchNormInference', 3, 5, 999, null, 'NCHW', 'f16', 'offset', true, 1e-5, 'encode'],
  [77, 'batchNormInference', 2, 12, 1333, null, 'NHWC', 'f32', 'offset', true, 1e-5, 'encode'],
  [78, 'batchNormInference', 2, 10, 1333, null, 'NHWC', 'f32', 'offset', true, 1e-5, 'encode'],
  [79, 'batchNormInference', 2, 6, 1333, null, 'NHWC', 'f16', 'offset', true, 1e-5, 'encode'],
  [80, 'batchNormInference', 3, 4, 49, null, 'NCHW', 'f32', 'nan-unit', true, 1e-5, 'encode'],
  [81, 'batchNormInference', 3, 4, 3, null, 'NCHW', 'f32', 'nan-unit', true, 1e-5, 'encode'],
  [82, 'batchNormInference', 3, 5, 999, null, 'NCHW', 'f16', 'nan-unit', true, 1e-5, 'encode'],
  [83, 'batchNormInference', 2, 12, 1333, null, 'NHWC', 'f32', 'nan-unit', true, 1e-5, 'encode'],
  [84, 'batchNormInference', 2, 10, 1333, null, 'NHWC', 'f32', 'nan-unit', true, 1e-5, 'encode'],
  [85, 'batchNormInference', 2, 6, 1333, null, 'NHWC', 'f16', 'nan-unit', true, 1e-5, 'encode'],
  [86, 'batchNormInference', 4, 2, 262144, null, 'NHWC', 'f16', 'offset', true, 1e-5, 'encode'],
  [87, 'batchNormInference', 3, 6, 49, null, 'NCHW', 'f32', 'normal', true, 1e-5, 'encode', { statsLayout: 'workgroup' }],
  [88, 'batchNormInference', 3, 6, 49, null, 'NHWC', 'f32', 'normal', true, 1e-5, 'encode', { statsLayout: 'workgroup' }],
  [89, 'batchNormInference', 1, 8, 64, null, 'NCHW', 'f32', 'normal', true, 1e-5, 'encode', { statsLayout: 'workgroup' }],
  [90, 'batchNormInference', 1, 8, 64, null, 'NHWC', 'f32', 'normal', true, 1e-5, 'encode', { statsLayout: 'workgroup' }],
  [91, 'batchNormInference', 1, 7, 9, null, 'NCHW', 'f32', 'normal', false, 1e-5, 'encode', { statsLayout: 'workgroup' }],
  [92, 'batchNormInference', 1, 7, 9, null, 'NHWC', 'f32', 'normal', false, 1e-5, 'encode', { statsLayout: 'workgroup' }],
  [93, 'batchNormInference', 2, 6, 25, null, 'NCHW', 'f16', 'normal', true, 1e-5, 'encode', { statsLayout: 'workgroup' }],
  // Training: shapes × layouts × dtypes with the defaults (momentum 0.1, unbiased running variance).
  [94, 'batchNormTraining', 3, 6, 49, null, 'NCHW', 'f32', 'normal', true, 1e-5, 'convenience'],
  [95, 'batchNormTraining', 3, 6, 49, null, 'NCHW', 'f16', 'normal', true, 1e-5, 'convenience'],
  [96, 'batchNormTraining', 3, 6, 49, null, 'NHWC', 'f32', 'normal', true, 1e-5, 'convenience'],
  [97, 'batchNormTraining', 3, 6, 49, null, 'NHWC', 'f16', 'normal', true, 1e-5, 'convenience'],
  // momentum 0 (running statistics kept), 1 (replaced), biased running variance.
  [98, 'batchNormTraining', 2, 12, 16, null, 'NCHW', 'f32', 'normal', true, 1e-5, 'convenience', { momentum: 0 }],
  [99, 'batchNormTraining', 2, 12, 16, null, 'NHWC', 'f32', 'normal', true, 1e-5, 'convenience', { momentum: 1 }],
  [100, 'batchNormTraining', 2, 12, 16, null, 'NCHW', 'f16', 'normal', true, 1e-5, 'convenience', { momentum: 0.3, runningVarUnbiased: false }],
  [101, 'batchNormTraining', 2, 12, 16, null, 'NHWC', 'f16', 'normal', true, 0.01, 'convenience', { momentum: 0, runningVarUnbiased: false, epsilonMode: 'add-to-std' }],
  // Adversarial patterns on channels split across several chunks.
  [102, 'batchNormTraining', 3, 3, 4099, null, 'NCHW', 'f32', 'offset', true, 1e-5, 'convenience'],
  [103, 'batchNormTraining', 3, 3, 4099, null, 'NHWC', 'f16', 'offset', true, 1e-5, 'convenience'],
  [104, 'batchNormTraining', 3, 3, 4099, null, 'NCHW', 'f32', 'zero-variance', true, 1e-5, 'convenience'],
  [105, 'batchNormTraining', 3, 3, 4099, null, 'NHWC', 'f16', 'zero-variance', true, 1e-5, 'convenience'],
  [106, 'batchNormTraining', 3, 3, 4099, null, 'NCHW', 'f32', 'nan-unit', true, 1e-5, 'convenience'],
  [107, 'batchNormTraining', 3, 3, 4099, null, 'NHWC', 'f32', 'nan-unit', true, 1e-5, 'convenience'],
  [108, 'batchNormTraining', 3, 3, 4099, null, 'NCHW', 'f16', 'nan-unit', true, 1e-5, 'convenience', { momentum: 1 }],
  [109, 'batchNormTraining', 3, 3, 4099, null, 'NHWC', 'f16', 'f16-extreme', true, 1e-5, 'convenience'],
  [110, 'batchNormTraining', 3, 3, 4099, null, 'NCHW', 'f32', 'mixed-scale', true, 1e-5, 'convenience'],
  [111, 'batchNormTraining', 3, 8, 4096, null, 'NHWC', 'f32', 'spikes', true, 1e-5, 'convenience'],
  // The caller's encoder and pass: running statistics updated in place, or into new… outputs
  // (the given ones must stay as they were).
  [112, 'batchNormTraining', 2, 6, 25, null, 'NCHW', 'f16', 'offset', true, 1e-5, 'encode'],
  [113, 'batchNormTraining', 2, 16, 36, null, 'NHWC', 'f32', 'mixed-scale', true, 1e-5, 'encode', { momentum: 0.5 }],
  [114, 'batchNormTraining', 2, 6, 25, null, 'NCHW', 'f32', 'normal', true, 1e-5, 'encode', { newRunning: true }],
  [115, 'batchNormTraining', 2, 6, 25, null, 'NHWC', 'f16', 'nan-unit', true, 1e-5, 'encode', { newRunning: true, momentum: 1 }],
  [116, 'batchNormTraining', 2, 16, 36, null, 'NCHW', 'f32', 'normal', true, 1e-5, 'pass', { newRunning: true }],
  [117, 'batchNormTraining', 2, 16, 36, null, 'NHWC', 'f16', 'zero-variance', true, 1e-5, 'pass'],
  // One value per channel (batch · spatial = 1): only the biased running variance is defined.
  [118, 'batchNormTraining', 1, 5, 1, null, 'NCHW', 'f32', 'normal', true, 1e-5, 'convenience', { runningVarUnbiased: false }],
  [119, 'batchNormTraining', 1, 6, 1, null, 'NHWC', 'f16', 'normal', true, 1e-5, 'encode', { runningVarUnbiased: false, newRunning: true }],
  // (N, C) activations, and a larger map.
  [120, 'batchNormTraining', 256, 64, 1, null, 'NCHW', 'f32', 'normal', true, 1e-5, 'convenience'],
  [121, 'batchNormTraining', 1, 64, 4096, null, 'NCHW', 'f32', 'offset', true, 1e-5, 'encode'],
  // The GPU (workgroup) layouts, forced.
  [122, 'batchNormTraining', 3, 6, 49, null, 'NCHW', 'f32', 'normal', true, 1e-5, 'encode', { statsLayout: 'workgroup' }],
  [123, 'batchNormTraining', 3, 3, 4099, null, 'NHWC', 'f32', 'offset', true, 1e-5, 'convenience', { statsLayout: 'workgroup' }],
  [124, 'batchNormTraining', 2, 6, 25, null, 'NCHW', 'f16', 'nan-unit', true, 1e-5, 'encode', { statsLayout: 'workgroup', newRunning: true }],
  [125, 'batchNormTraining', 1, 8, 64, null, 'NHWC', 'f16', 'zero-variance', true, 1e-5, 'encode', { statsLayout: 'workgroup', momentum: 0 }],
];

/**
 * The GroupNorm / InstanceNorm cases.
 *
 * @example
 * ```ts
 * for (const c of groupNormCases()) test(caseName(c), () => run(c));
 * ```
 */
export function groupNormCases(): ChannelNormCase[] {
  return GROUP_NORM.map(channelCase);
}

/**
 * The BatchNorm cases (statistics, then inference).
 *
 * @example
 * ```ts
 * for (const c of batchNormCases()) test(caseName(c), () => run(c));
 * ```
 */
export function batchNormCases(): ChannelNormCase[] {
  return BATCH_NORM.map(channelCase);
}
