// Copies the fused add kernels' per-row statistics of sum from scratch into the caller's mean
// and rstd (add_io.wgsl says why they are not written there directly). One invocation per row.

struct StatsParams {
  rows: u32,
  // Index of row 0's (mean, rstd) in `stats`.
  first: u32,
}

@group(0) @binding(0) var<uniform> params: StatsParams;
@group(0) @binding(1) var<storage, read> stats: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> mean: array<f32>;
@group(0) @binding(3) var<storage, read_write> rstd: array<f32>;

override WORKGROUP_SIZE: u32 = 64u;
// addRmsNorm has no mean.
override WRITE_MEAN: bool = true;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let row = (wid.y * nwg.x + wid.x) * WORKGROUP_SIZE + lid;
  if (row >= params.rows) { return; }
  let s = stats[params.first + row];
  if (WRITE_MEAN) { mean[row] = s.x; }
  rstd[row] = s.y;
}
