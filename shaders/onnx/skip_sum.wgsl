// The exact residual sum of a float16 ONNX Skip* node (src/onnx/skip-sum.ts): s = input + skip
// (+ bias) in f32, written unrounded to f32 scratch for the row norm that follows, and rounded
// once to f16 into input_skip_bias_sum when that output is requested. The fused add kernels
// normalize the f16-rounded sum (the residual stream as stored), which ONNX semantics (and issue
// #13) do not allow; this pass is the exact alternative for float16 nodes. skip may have fewer
// rows (ONNX's (1,S,H) / (S,H) skips): row r adds skip row r % residual_rows, read in place.
// #include "../common/f16.wgsl"

struct Params {
  rows: u32,
  cols: u32,
  residual_rows: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
// Packed binary16 (element 2k in the low half).
@group(0) @binding(1) var<storage, read> x: array<u32>;
@group(0) @binding(2) var<storage, read> skip: array<u32>;
// f32, one per column (the conversion pass gives float16 biases to it as f32).
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> exact: array<f32>;
// Packed binary16; bound only with WRITE_SUM.
@group(0) @binding(5) var<storage, read_write> sum: array<u32>;

override WORKGROUP_SIZE: u32 = 64u;
override HAS_BIAS: bool = false;
override WRITE_SUM: bool = false;

fn element_sum(i: u32) -> f32 {
  let j = i % params.cols;
  let k = ((i / params.cols) % params.residual_rows) * params.cols + j;
  var v = f16_select(x[i >> 1u], i & 1u) + f16_select(skip[k >> 1u], k & 1u);
  if (HAS_BIAS) {
    v += bias[j];
  }
  return v;
}

// One 32-bit word of x per invocation: two elements (which may belong to two rows), so every word
// of sum has exactly one writer.
@compute @workgroup_size(WORKGROUP_SIZE)
fn skip_sum(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let word = (wg.y * groups.x + wg.x) * WORKGROUP_SIZE + lane;
  let n = params.rows * params.cols;
  let first = word * 2u;
  if (first >= n) {
    return;
  }
  let lo = element_sum(first);
  exact[first] = lo;
  var hi = 0.0;
  if (first + 1u < n) {
    hi = element_sum(first + 1u);
    exact[first + 1u] = hi;
  }
  if (WRITE_SUM) {
    sum[word] = f16_pack(lo, hi);
  }
}
