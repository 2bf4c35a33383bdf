// dgamma / dbeta, the final stage: one invocation per output (2 * cols of them) adds that output's
// per-block partials, written by the dx kernel (common/norm_backward.wgsl; block b's partial row
// is partial[b * 2 * cols ..], dgamma then dbeta), in block order (fixed, hence deterministic),
// in runs of BLOCK (two-level summation).

struct Params {
  cols: u32,
  blocks: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> partial: array<f32>;
@group(0) @binding(2) var<storage, read_write> dgamma: array<f32>;
@group(0) @binding(3) var<storage, read_write> dbeta: array<f32>;

override WORKGROUP_SIZE: u32 = 64u;
override HAS_DGAMMA: bool = true;
override HAS_DBETA: bool = true;

const BLOCK: u32 = 32u;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let j = (wid.y * nwg.x + wid.x) * WORKGROUP_SIZE + lid;
  if (j >= 2u * params.cols) { return; }
  // Outputs not requested were not accumulated either.
  if ((j < params.cols && !HAS_DGAMMA) || (j >= params.cols && !HAS_DBETA)) { return; }
  let stride = 2u * params.cols;
  var s = 0.0;
  var b = 0u;
  while (b < params.blocks) {
    let end = min(b + BLOCK, params.blocks);
    var run = 0.0;
    for (; b < end; b += 1u) { run += partial[b * stride + j]; }
    s += run;
  }
  if (j < params.cols) {
    if (HAS_DGAMMA) { dgamma[j] = s; }
  } else if (HAS_DBETA) {
    dbeta[j - params.cols] = s;
  }
}
