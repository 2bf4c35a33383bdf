/**
 * The fused GroupNorm / InstanceNorm layout (CPU adapters, NCHW): one dispatch, one invocation per
 * (image, group) computes the group's statistics and normalizes it, instead of the three
 * dispatches (partials, merge, normalize) of `../channel/`. `shaders/group-norm/group_norm_fused.wgsl`
 * explains the kernel; this file decides when it is used and records it.
 */
import shader from '../../../shaders/group-norm/group_norm_fused.wgsl?shader';
import type { BufferRange } from '../../core/bindings.js';
import type { KernelContext } from '../../core/context.js';
import { foldWorkgroups } from '../../core/dispatch.js';
import { getPipeline } from '../../core/pipeline-cache.js';
import type { RecordedDispatch } from '../../core/record.js';
import type { Dtype } from '../../core/tensor.js';
import { selectStatsLayout, workgroupCap, type StatsLayout, type StatsOutputs } from '../channel/stats.js';
import type { GroupNormShape } from './options.js';
import { simdLanes } from '../row-norm/variant.js';

/** Statistics (batch × groups) the fused layout needs at least: two cores × SIMD width 4. */
const FUSED_MIN_STATS = 8;

/**
 * The GroupNorm / InstanceNorm layout rule: `fused` (one dispatch) on CPU adapters for NCHW, where
 * each group is contiguous, when there are at least {@link FUSED_MIN_STATS} statistics to keep the
 * cores busy and, for f16, the group length is even (every group starts on a 32-bit word, so no
 * two invocations share one); otherwise the three-dispatch layout of {@link selectStatsLayout}.
 *
 * @example
 * ```ts
 * selectGroupNormLayout({ cpu: true }, { layout: 'NCHW', dtype: 'f32', batch: 1, groups: 32, groupSize: 40960, elements: 1310720 }); // 'fused'
 * ```
 */
export function selectGroupNormLayout(
  profile: { readonly cpu: boolean },
  s: Pick<GroupNormShape, 'layout' | 'dtype' | 'batch' | 'groups' | 'groupSize' | 'elements'>,
): StatsLayout | 'fused' {
  if (profile.cpu && s.layout === 'NCHW' && s.batch * s.groups >= FUSED_MIN_STATS && (s.dtype === 'f32' || s.groupSize % 2 === 0)) return 'fused';
  return selectStatsLayout(profile, s);
}

/**
 * What the fused GroupNorm layout needs: the (N, G) statistics, each a contiguous group of
 * `groupSize` elements (NCHW).
 *
 * @example
 * ```ts
 * const p: FusedGroupNormProblem = { dtype: 'f32', batch: 1, channels: 320, spatial: 4096, groups: 32, groupSize: 40960 };
 * ```
 */
export interface FusedGroupNormProblem {
  readonly dtype: Dtype;
  readonly batch: number;
  readonly channels: number;
  readonly spatial: number;
  readonly groups: number;
  readonly groupSize: number;
}

/**
 * The fused GroupNorm dispatch: one invocation per (image, group) computes the group's statistics
 * and normalizes it (`group_norm_fused_*` in `shaders/group-norm/group_norm_fused.wgsl`); `silu`
 * passes every output through SiLU before it is stored.
 *
 * @example
 * ```ts
 * const d = fusedGroupNormDispatch(ctx, problem, x, y, { gamma, beta, mean, rstd, divisor: 40960, epsilon: 1e-5, addToStd: false });
 * ```
 */
export function fusedGroupNormDispatch(ctx: KernelContext, p: FusedGroupNormProblem, x: BufferRange, y: BufferRange, out: StatsOutputs, silu = false): RecordedDispatch {
  const { device, resources, limits } = ctx;
  const f16 = p.dtype === 'f16';
  const vec4 = !f16 && p.spatial % 4 === 0;
  // One SIMD step of invocations per workgroup (simdLanes: 4 on SwiftShader, so 32 groups make 8
  // workgroups; 8 on llvmpipe, where 4 ran half-empty steps at 1.1-1.5x the time).
  const wg = Math.min(simdLanes(ctx.profile), workgroupCap(limits));
  const entryPoint = f16 ? 'group_norm_fused_f16' : vec4 ? 'group_norm_fused_vec4' : 'group_norm_fused_scalar';
  const constants: Record<string, number | boolean> = {
    WORKGROUP_SIZE: wg,
    F16: f16,
    WRITE_MEAN: out.mean !== undefined,
    WRITE_RSTD: out.rstd !== undefined,
    HAS_GAMMA: out.gamma !== undefined,
    HAS_BETA: out.beta !== undefined,
    ADD_TO_STD: out.addToStd,
    SILU: silu,
  };
  // f16 read with the built-in conversion where the device was probed exact (src/core/f16-probe.ts).
  if (f16 && ctx.profile.f16UnpackExact === true) constants.F16_UNPACK_EXACT = true;
  const pipeline = getPipeline(device, shader, entryPoint, constants);
  const stats = p.batch * p.groups;
  const bindGroup = resources.bindGroup(shader, entryPoint, pipeline, {
    fused: resources.uniform(shader, 'fused', {
      stats,
      group_len: p.groupSize,
      spatial: p.spatial,
      channels_per_group: p.channels / p.groups,
      groups: p.groups,
      divisor: out.divisor,
      epsilon: out.epsilon,
    }),
    x,
    x4: x,
    [f16 ? 'yh' : vec4 ? 'y4' : 'y']: y,
    mean: out.mean ?? resources.dummy('mean'),
    rstd: out.rstd ?? resources.dummy('rstd'),
    gamma: out.gamma ?? resources.dummy('gamma'),
    beta: out.beta ?? resources.dummy('beta'),
  });
  const grid = foldWorkgroups(Math.ceil(stats / wg), limits.maxComputeWorkgroupsPerDimension);
  return { label: 'group norm (fused)', pipeline: pipeline.pipeline, bindGroup, grid };
}
