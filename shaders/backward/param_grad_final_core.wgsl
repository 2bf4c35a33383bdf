// dgamma / dbeta, the final stage: for each output item (2 * items of them; an item is one f32
// column or, in the vec4 kernel, four), one invocation adds that item's per-block partials,
// written by the dx kernel (common/norm_backward.wgsl; block b's partial row is dgamma then
// dbeta, 2 * items items from partial[b * 2 * items]), in block order (fixed, hence
// deterministic), in runs of BLOCK blocks, BLOCK runs to a super-run, super-runs then added to the
// total (three-level summation, as the per-row sums; a block's partial is itself a run of its
// groups of rows, at most 32 unless the scratch limit needs more). A very tall input (2^21 rows of
// a few columns on a CPU adapter make 16384 blocks) would otherwise add hundreds of runs to one
// running total, each losing its low bits once a large term (an outlier row of dy) is in it (test/
// backward/wide-rows.gpu.test.ts: 2.6x the dgamma/dbeta tolerance with two levels). Up to BLOCK²
// blocks this is bit-identical to two levels (0 + sum is exact). An invocation may take several
// items (grid-stride loop) when the grid is smaller than the items.
//
// The including file declares `alias item = f32;` or `alias item = vec4<f32>;` and the bindings
// partial, dgamma, dbeta as arrays of item.

struct Params {
  // Items per dgamma (or dbeta) row: cols, or cols / 4 for vec4 items.
  items: u32,
  blocks: u32,
}

@group(0) @binding(0) var<uniform> params: Params;

override WORKGROUP_SIZE: u32 = 64u;
override HAS_DGAMMA: bool = true;
override HAS_DBETA: bool = true;

const BLOCK: u32 = 32u;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  // Grid-stride loop: a grid smaller than the items (CPU adapters, where each invocation has a
  // fixed cost) takes several items per invocation.
  let total = nwg.x * nwg.y * WORKGROUP_SIZE;
  for (var j = (wid.y * nwg.x + wid.x) * WORKGROUP_SIZE + lid; j < 2u * params.items; j += total) {
    // Outputs not requested were not accumulated either.
    if ((j < params.items && !HAS_DGAMMA) || (j >= params.items && !HAS_DBETA)) { continue; }
    sum_item(j);
  }
}

fn sum_item(j: u32) {
  let stride = 2u * params.items;
  var s = item(0.0);
  var b = 0u;
  while (b < params.blocks) {
    let super_end = min(b + BLOCK * BLOCK, params.blocks);
    var runs = item(0.0);
    while (b < super_end) {
      let end = min(b + BLOCK, super_end);
      var run = item(0.0);
      for (; b < end; b += 1u) { run += partial[b * stride + j]; }
      runs += run;
    }
    s += runs;
  }
  if (j < params.items) {
    if (HAS_DGAMMA) { dgamma[j] = s; }
  } else if (HAS_DBETA) {
    dbeta[j - params.items] = s;
  }
}
