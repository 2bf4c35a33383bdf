// How the statistics kernels read x, shared by pass 1 (channel_partials.wgsl), pass 2
// (channel_merge.wgsl) and the fused GroupNorm (group-norm/group_norm_fused.wgsl). The including
// module declares `x: array<u32>` (the tensor as raw words) and `override F16: bool`.
//
// Storage: `x` is read as raw 32-bit words. F16 = false: one f32 per word (bitcast). F16 = true:
// binary16 pairs, element 2k in the low half (common/f16.wgsl), which works without the
// `shader-f16` feature. Element indices are global, so groups and rows that start mid-word need
// no special case.
//
// Grids larger than maxComputeWorkgroupsPerDimension fold into 2D; the linear workgroup index is
// workgroup_id.y * num_workgroups.x + workgroup_id.x and the surplus leaves at once (the exit is
// workgroup-uniform, so the barriers of stats_state.wgsl stay in uniform control flow).

// #include "../common/f16.wgsl"

fn load_x(e: u32) -> f32 {
  if (F16) { return f16_select(x[e >> 1u], e); }
  return bitcast<f32>(x[e]);
}

fn linear_workgroup(wid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return wid.y * nwg.x + wid.x;
}

// The pivot of statistic q: element (q / stat_groups) * outer + (q % stat_groups) * inner, the
// statistic's first element (see PartialParams in channel_partials.wgsl).
fn stat_pivot(q: u32, stat_groups: u32, outer: u32, inner: u32) -> f32 {
  return load_x((q / stat_groups) * outer + (q % stat_groups) * inner);
}
