// As common/param_grad_partials_vec4.wgsl, for the scalar-access dx kernel (any width): f32
// partial rows, f32 dsum.

@group(0) @binding(7) var<storage, read> dsum: array<f32>;
@group(0) @binding(8) var<storage, read_write> partial: array<f32>;

fn io_dsum(row_base: u32, c: u32) -> vec4<f32> {
  var v = vec4<f32>(0.0);
  let base = row_base + 4u * c;
  for (var k = 0u; k < 4u; k += 1u) {
    if (4u * c + k < params.cols) { v[k] = dsum[base + k]; }
  }
  return v;
}
// #include "param_grad_partial_rows.wgsl"
