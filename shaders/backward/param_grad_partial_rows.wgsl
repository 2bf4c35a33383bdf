// Partial rows of f32 in `partial` (slot s: elements s * cols ..), valid lanes only: the
// io_partial_* of the scalar and f16 dx kernels (common/param_grad_partials_{scalar,f16}.wgsl).

fn io_partial_get(slot: u32, c: u32) -> vec4<f32> {
  var v = vec4<f32>(0.0);
  let base = slot * params.cols + 4u * c;
  for (var k = 0u; k < 4u; k += 1u) {
    if (4u * c + k < params.cols) { v[k] = partial[base + k]; }
  }
  return v;
}
fn io_partial_set(slot: u32, c: u32, v: vec4<f32>) {
  let base = slot * params.cols + 4u * c;
  for (var k = 0u; k < 4u; k += 1u) {
    if (4u * c + k < params.cols) { partial[base + k] = v[k]; }
  }
}
