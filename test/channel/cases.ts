/**
 * Case tables for GroupNorm / InstanceNorm and BatchNorm on the GPU: shapes × layouts × dtypes,
 * every adversarial pattern on a shape that splits each statistic across several workgroups, the
 * epsilon conventions, the caller's encoder / pass forms, and a few large shapes (a UNet map, a
 * statistic over a million elements) once each. Pruned to what SwiftShader runs in about a minute
 * per file.
 */
import { CHANNEL_PATTERNS } from '../shared/channel-data.js';
import type { ChannelNormCase } from './channel-norm-case.js';

/** A case without its seed, with defaults for the common fields. */
type CaseSpec = Omit<ChannelNormCase, 'seed' | 'affine' | 'form' | 'pattern' | 'dtype' | 'layout'> &
  Partial<Pick<ChannelNormCase, 'affine' | 'form' | 'pattern' | 'dtype' | 'layout' | 'epsilon'>>;

export function caseName(c: ChannelNormCase): string {
  const g = (c.op === 'groupNorm' ? ` g${c.groups}` : '') + (c.statsLayout ? ` [${c.statsLayout} layout]` : '');
  const eps = [c.epsilonMode === 'add-to-std' ? 'add-to-std' : '', c.unbiased ? 'unbiased' : ''].filter(Boolean).join(' ');
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

function builder() {
  const cases: ChannelNormCase[] = [];
  let seed = 1;
  const add = (c: CaseSpec) =>
    cases.push({ affine: true, form: 'convenience', pattern: 'normal', dtype: 'f32', layout: 'NCHW', epsilon: 1e-5, ...c, seed: seed++ } as ChannelNormCase);
  return { cases, add };
}

const LAYOUTS = ['NCHW', 'NHWC'] as const;
const DTYPES = ['f32', 'f16'] as const;

export function groupNormCases(): ChannelNormCase[] {
  const { cases, add } = builder();
  // Shapes: odd spatial sizes, channels not a multiple of 4, groups 1 / 2 / 32 / channels,
  // batch 1 and 3, odd f16 element counts (groups and channel maps starting mid-word).
  const shapes: CaseSpec[] = [
    { op: 'groupNorm', batch: 1, channels: 6, spatial: 49, groups: 3 },
    { op: 'groupNorm', batch: 3, channels: 6, spatial: 49, groups: 2 },
    { op: 'groupNorm', batch: 3, channels: 10, spatial: 7, groups: 1 },
    { op: 'groupNorm', batch: 1, channels: 64, spatial: 17 * 17, groups: 32 },
    { op: 'groupNorm', batch: 1, channels: 7, spatial: 9, groups: 7 },
    { op: 'groupNorm', batch: 2, channels: 8, spatial: 64, groups: 4, affine: false },
    { op: 'instanceNorm', batch: 3, channels: 5, spatial: 49 },
    { op: 'instanceNorm', batch: 1, channels: 12, spatial: 33 * 33 },
  ];
  for (const s of shapes) for (const layout of LAYOUTS) for (const dtype of DTYPES) add({ ...s, layout, dtype });

  // Every adversarial pattern on a shape whose groups span several pass-1 chunks (2 in NCHW, 5 per
  // channel column in NHWC), both layouts and dtypes.
  for (const pattern of CHANNEL_PATTERNS) {
    for (const layout of LAYOUTS) {
      for (const dtype of DTYPES) add({ op: 'groupNorm', batch: 2, channels: 6, spatial: 4099, groups: 2, layout, dtype, pattern });
    }
  }

  // Epsilon conventions and the unbiased variance (rstd must be the factor applied).
  for (const layout of LAYOUTS) {
    add({ op: 'groupNorm', batch: 2, channels: 12, spatial: 25, groups: 4, layout, epsilonMode: 'add-to-std', epsilon: 1e-3 });
    add({ op: 'groupNorm', batch: 2, channels: 12, spatial: 25, groups: 4, layout, unbiased: true, dtype: 'f16' });
    add({ op: 'instanceNorm', batch: 1, channels: 9, spatial: 30, layout, unbiased: true, epsilonMode: 'add-to-std' });
    add({ op: 'groupNorm', batch: 1, channels: 8, spatial: 16, groups: 2, layout, pattern: 'tiny-variance', epsilon: 1e-12 });
  }

  // The caller's encoder and compute pass, operands at non-zero offsets in sentinel-filled buffers.
  for (const form of ['encode', 'pass'] as const) {
    for (const layout of LAYOUTS) {
      add({ op: 'groupNorm', batch: 3, channels: 6, spatial: 49, groups: 3, layout, dtype: 'f16', form, pattern: 'offset' });
      add({ op: 'instanceNorm', batch: 1, channels: 7, spatial: 9, layout, dtype: 'f16', form, pattern: 'nan-unit' });
      add({ op: 'groupNorm', batch: 2, channels: 16, spatial: 100, groups: 8, layout, form, pattern: 'mixed-scale' });
    }
  }

  // A diffusion UNet's GroupNorm (32 groups of 10 channels over 64x64) and a group over 2^20
  // elements (a 512x512 map of 4 channels), which must be split across many workgroups.
  for (const layout of LAYOUTS) {
    add({ op: 'groupNorm', batch: 1, channels: 320, spatial: 64 * 64, groups: 32, layout, form: 'encode' });
    add({ op: 'groupNorm', batch: 1, channels: 320, spatial: 64 * 64, groups: 32, layout, form: 'encode', dtype: 'f16', pattern: 'offset' });
  }
  add({ op: 'groupNorm', batch: 1, channels: 4, spatial: 512 * 512, groups: 1, layout: 'NCHW', form: 'encode', pattern: 'offset' });
  // More statistics (and pass-1 workgroups) than maxComputeWorkgroupsPerDimension: 2D grids.
  add({ op: 'instanceNorm', batch: 1, channels: 70001, spatial: 3, layout: 'NCHW', form: 'encode', dtype: 'f16', pattern: 'mixed-scale' });
  add({ op: 'groupNorm', batch: 1, channels: 4, spatial: 512 * 512, groups: 1, layout: 'NHWC', form: 'encode', dtype: 'f16', pattern: 'f16-extreme' });

  // Statistics layouts. The automatic rule picks the invocation layout on this CPU adapter: chunks
  // whose local pivot is an outlier (spikes) take the exact second pass; NHWC with channels % 4 != 0
  // uses scalar loads (channels 6 and 10 above), f16 spans start and end mid-vector (odd sizes).
  for (const layout of LAYOUTS) {
    for (const dtype of DTYPES) {
      add({ op: 'groupNorm', batch: 2, channels: 8, spatial: 4096, groups: 2, layout, dtype, pattern: 'spikes', form: 'encode' });
      add({ op: 'groupNorm', batch: 1, channels: 10, spatial: 4099, groups: 5, layout, dtype, pattern: 'spikes' });
    }
    add({ op: 'instanceNorm', batch: 1, channels: 1, spatial: 3, layout });
  }
  // Elementwise span layouts (automatic here): NCHW vectors straddling two maps (spatial 49) or
  // several (spatial 3), f16 words straddling maps; NHWC channel quads over several position
  // chunks, aligned (12 channels), partial (6, 10), f16 with a one-word last quad (6); mean-1e4
  // offsets, NaN in one group.
  for (const pattern of ['offset', 'nan-unit'] as const) {
    add({ op: 'groupNorm', batch: 1, channels: 4, spatial: 49, groups: 2, pattern, form: 'encode' });
    add({ op: 'groupNorm', batch: 3, channels: 4, spatial: 3, groups: 2, pattern, form: 'encode' });
    add({ op: 'groupNorm', batch: 3, channels: 5, spatial: 4099, groups: 5, dtype: 'f16', pattern, form: 'encode' });
    add({ op: 'instanceNorm', batch: 2, channels: 12, spatial: 1333, layout: 'NHWC', pattern, form: 'encode' });
    add({ op: 'groupNorm', batch: 2, channels: 10, spatial: 1333, groups: 5, layout: 'NHWC', pattern, form: 'encode' });
    add({ op: 'groupNorm', batch: 2, channels: 6, spatial: 1333, groups: 3, layout: 'NHWC', dtype: 'f16', pattern, form: 'encode' });
  }
  // The fused layout (automatic here: NCHW, >= 8 groups): every adversarial pattern and spikes
  // (outlier pivots: the exact second pass over a whole group) on groups of 8198 elements with odd
  // spatial (f32 element by element; f16 words straddling the two maps of a group), and on
  // spatial % 4 == 0 (f32 vectors); InstanceNorm (groups of one channel). Odd f16 group lengths
  // keep the three-dispatch layout (3x5x4099 above).
  for (const pattern of [...CHANNEL_PATTERNS, 'spikes'] as const) {
    for (const dtype of DTYPES) {
      if (pattern === 'f16-extreme' && dtype === 'f32') continue;
      add({ op: 'groupNorm', batch: 2, channels: 8, spatial: 4099, groups: 4, dtype, pattern, form: 'encode' });
    }
    add({ op: 'groupNorm', batch: 2, channels: 16, spatial: 1024, groups: 8, dtype: pattern === 'f16-extreme' ? 'f16' : 'f32', pattern, form: 'encode' });
  }
  for (const dtype of DTYPES) {
    for (const pattern of ['offset', 'nan-unit', 'zero-variance'] as const) add({ op: 'instanceNorm', batch: 2, channels: 8, spatial: 1024, dtype, pattern, form: 'encode' });
    add({ op: 'instanceNorm', batch: 1, channels: 10, spatial: 51, dtype, pattern: 'spikes', form: 'encode' });
  }
  // The GPU (workgroup) layout, forced, on the shapes above and the adversarial patterns.
  for (const s of shapes) for (const layout of LAYOUTS) add({ ...s, layout, dtype: s.channels % 2 ? 'f16' : 'f32', statsLayout: 'workgroup', form: 'encode' });
  for (const pattern of ['offset', 'zero-variance', 'f16-extreme', 'nan-unit', 'spikes'] as const) {
    for (const layout of LAYOUTS) add({ op: 'groupNorm', batch: 2, channels: 6, spatial: 4099, groups: 2, layout, dtype: pattern === 'f16-extreme' ? 'f16' : 'f32', pattern, statsLayout: 'workgroup' });
  }
  return cases;
}

export function batchNormCases(): ChannelNormCase[] {
  const { cases, add } = builder();
  // Statistics: shapes × layouts × dtypes.
  const statShapes: CaseSpec[] = [
    { op: 'batchNormStats', batch: 3, channels: 6, spatial: 49 },
    { op: 'batchNormStats', batch: 1, channels: 5, spatial: 7 },
    { op: 'batchNormStats', batch: 4, channels: 64, spatial: 15 * 15 },
  ];
  for (const s of statShapes) for (const layout of LAYOUTS) for (const dtype of DTYPES) add({ ...s, layout, dtype });
  for (const pattern of CHANNEL_PATTERNS) {
    for (const layout of LAYOUTS) add({ op: 'batchNormStats', batch: 3, channels: 3, spatial: 4099, layout, pattern, dtype: pattern === 'f16-extreme' ? 'f16' : 'f32' });
  }
  for (const layout of LAYOUTS) {
    add({ op: 'batchNormStats', batch: 2, channels: 7, spatial: 30, layout, unbiased: true, form: 'encode' });
    add({ op: 'batchNormStats', batch: 3, channels: 5, spatial: 49, layout, dtype: 'f16', form: 'pass', pattern: 'offset' });
  }
  // A channel over 2^20 elements (4 images of 512x512 positions).
  add({ op: 'batchNormStats', batch: 4, channels: 2, spatial: 262144, layout: 'NCHW', form: 'encode', pattern: 'offset' });
  add({ op: 'batchNormStats', batch: 4, channels: 2, spatial: 262144, layout: 'NHWC', form: 'encode', pattern: 'offset', dtype: 'f16' });
  // More channels than maxComputeWorkgroupsPerDimension: 2D grids in both passes.
  add({ op: 'batchNormStats', batch: 2, channels: 70001, spatial: 1, layout: 'NCHW', form: 'encode', pattern: 'zero-variance' });
  // BatchNorm over (N, C) activations (one position per image), the shape an MLP's BatchNorm sees.
  add({ op: 'batchNormStats', batch: 256, channels: 768, spatial: 1, layout: 'NCHW' });
  add({ op: 'batchNormStats', batch: 255, channels: 77, spatial: 1, layout: 'NCHW', dtype: 'f16', unbiased: true });
  // Invocation layout (automatic here): outlier local pivots, aligned and unaligned NHWC columns.
  for (const layout of LAYOUTS) {
    add({ op: 'batchNormStats', batch: 3, channels: 8, spatial: 4096, layout, pattern: 'spikes', form: 'encode' });
    add({ op: 'batchNormStats', batch: 2, channels: 5, spatial: 4099, layout, dtype: 'f16', pattern: 'spikes' });
  }
  // The GPU (workgroup) layout, forced.
  for (const s of statShapes) for (const layout of LAYOUTS) add({ ...s, layout, statsLayout: 'workgroup', form: 'encode' });
  for (const pattern of ['offset', 'nan-unit', 'spikes'] as const) {
    for (const layout of LAYOUTS) add({ op: 'batchNormStats', batch: 3, channels: 3, spatial: 4099, layout, pattern, statsLayout: 'workgroup' });
  }

  // Inference: scalar and vec4 paths of both layouts (NCHW vec4 needs spatial % 4 == 0, NHWC vec4
  // channels % 4 == 0), f16 with odd element counts.
  const infShapes: CaseSpec[] = [
    { op: 'batchNormInference', batch: 3, channels: 6, spatial: 49 },
    { op: 'batchNormInference', batch: 1, channels: 8, spatial: 64 },
    { op: 'batchNormInference', batch: 1, channels: 7, spatial: 9, affine: false },
  ];
  for (const s of infShapes) for (const layout of LAYOUTS) for (const dtype of DTYPES) add({ ...s, layout, dtype });
  for (const layout of LAYOUTS) {
    add({ op: 'batchNormInference', batch: 2, channels: 12, spatial: 16, layout, epsilonMode: 'add-to-std', epsilon: 1e-2 });
    add({ op: 'batchNormInference', batch: 2, channels: 12, spatial: 16, layout, pattern: 'offset' });
    add({ op: 'batchNormInference', batch: 2, channels: 6, spatial: 25, layout, pattern: 'nan-unit', form: 'encode', dtype: 'f16' });
    add({ op: 'batchNormInference', batch: 2, channels: 16, spatial: 36, layout, pattern: 'mixed-scale', form: 'pass' });
    add({ op: 'batchNormInference', batch: 1, channels: 320, spatial: 64 * 64, layout, form: 'encode', dtype: layout === 'NCHW' ? 'f32' : 'f16' });
  }
  // Elementwise span layouts (automatic here; see groupNormCases) with running statistics, and the
  // one-unit-per-invocation layouts forced on a GPU-profiled normalizer.
  for (const pattern of ['offset', 'nan-unit'] as const) {
    add({ op: 'batchNormInference', batch: 3, channels: 4, spatial: 49, pattern, form: 'encode' });
    add({ op: 'batchNormInference', batch: 3, channels: 4, spatial: 3, pattern, form: 'encode' });
    add({ op: 'batchNormInference', batch: 3, channels: 5, spatial: 999, dtype: 'f16', pattern, form: 'encode' });
    add({ op: 'batchNormInference', batch: 2, channels: 12, spatial: 1333, layout: 'NHWC', pattern, form: 'encode' });
    add({ op: 'batchNormInference', batch: 2, channels: 10, spatial: 1333, layout: 'NHWC', pattern, form: 'encode' });
    add({ op: 'batchNormInference', batch: 2, channels: 6, spatial: 1333, layout: 'NHWC', dtype: 'f16', pattern, form: 'encode' });
  }
  add({ op: 'batchNormInference', batch: 4, channels: 2, spatial: 262144, layout: 'NHWC', dtype: 'f16', pattern: 'offset', form: 'encode' });
  for (const s of infShapes) for (const layout of LAYOUTS) add({ ...s, layout, statsLayout: 'workgroup', form: 'encode' });
  add({ op: 'batchNormInference', batch: 2, channels: 6, spatial: 25, layout: 'NCHW', dtype: 'f16', statsLayout: 'workgroup', form: 'encode' });
  return cases;
}
