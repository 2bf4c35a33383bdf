// Per-feature gamma/beta (f32) for any width: chunk c is features 4c..4c+3, zeros past the end.
@group(0) @binding(3) var<storage, read> gamma: array<f32>;
@group(0) @binding(4) var<storage, read> beta: array<f32>;

fn io_gamma(c: u32) -> vec4<f32> {
  var v = vec4<f32>(0.0);
  for (var k = 0u; k < 4u; k += 1u) {
    if (4u * c + k < params.cols) { v[k] = gamma[4u * c + k]; }
  }
  return v;
}

fn io_beta(c: u32) -> vec4<f32> {
  var v = vec4<f32>(0.0);
  for (var k = 0u; k < 4u; k += 1u) {
    if (4u * c + k < params.cols) { v[k] = beta[4u * c + k]; }
  }
  return v;
}
