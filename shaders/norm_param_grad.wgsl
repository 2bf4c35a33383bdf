// dgamma / dbeta of LayerNorm and RMSNorm, stage 1 of a deterministic two-stage reduction over
// rows (no float atomics, so results are bit-identical run to run): workgroup (column group,
// row block) has one invocation per column, which sums dy * xh and dy over the block's rows in a
// fixed order and writes them to partial[block * 2 * cols + col] (dgamma) and
// partial[block * 2 * cols + cols + col] (dbeta). norm_param_grad_final.wgsl adds the blocks.
// Consecutive invocations read consecutive columns of one row (coalesced); no barriers.
// Storage: f32 (F16 = false) or packed f16 pairs (F16 = true); f32 arithmetic either way.
// #include "common/f16.wgsl"

struct Params {
  rows: u32,
  cols: u32,
  rows_per_block: u32,
  col_groups: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> dy: array<u32>;
@group(0) @binding(2) var<storage, read> x: array<u32>;
@group(0) @binding(3) var<storage, read> mean: array<f32>;
@group(0) @binding(4) var<storage, read> rstd: array<f32>;
@group(0) @binding(5) var<storage, read_write> partial: array<f32>;

override WORKGROUP_SIZE: u32 = 64u;
override RMS: bool = false;
override F16: bool = false;

// Rows are summed in runs of BLOCK added to the block total (two-level summation), so a block of
// thousands of rows accumulates rounding ~(BLOCK + rows / BLOCK) times, not ~rows.
const BLOCK: u32 = 32u;

// Element i of dy / x: the buffers are bound as u32 words and reinterpreted, so one module serves
// both storage types.
fn load(which: u32, i: u32) -> f32 {
  if (F16) {
    if (which == 0u) { return f16_select(dy[i >> 1u], i); }
    return f16_select(x[i >> 1u], i);
  }
  if (which == 0u) { return bitcast<f32>(dy[i]); }
  return bitcast<f32>(x[i]);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let group = wid.y * nwg.x + wid.x;
  let blk = group / params.col_groups;
  let col = (group % params.col_groups) * WORKGROUP_SIZE + lid;
  let r0 = blk * params.rows_per_block;
  if (col >= params.cols || r0 >= params.rows) { return; }
  let r1 = min(r0 + params.rows_per_block, params.rows);
  var sg = 0.0;
  var sb = 0.0;
  var row = r0;
  while (row < r1) {
    let end = min(row + BLOCK, r1);
    var bg = 0.0;
    var bb = 0.0;
    for (; row < end; row += 1u) {
      let d = load(0u, row * params.cols + col);
      var xh = load(1u, row * params.cols + col);
      if (!RMS) { xh -= mean[row]; }
      xh *= rstd[row];
      bg = fma(d, xh, bg);
      bb += d;
    }
    sg += bg;
    sb += bb;
  }
  let base = blk * 2u * params.cols;
  partial[base + col] = sg;
  partial[base + params.cols + col] = sb;
}
