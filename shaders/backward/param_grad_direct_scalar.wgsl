// As common/param_grad_direct_vec4.wgsl, for the scalar and f16 dx kernels (dgamma and dbeta
// are f32 for every dtype): valid lanes only.

@group(0) @binding(7) var<storage, read_write> dbeta_out: array<f32>;
@group(0) @binding(8) var<storage, read_write> dgamma_out: array<f32>;

// Never called (HAS_DSUM is false with this file); present for the interface.
fn io_dsum(row_base: u32, c: u32) -> vec4<f32> { return vec4<f32>(0.0); }
fn io_partial_get(slot: u32, c: u32) -> vec4<f32> {
  var v = vec4<f32>(0.0);
  for (var k = 0u; k < 4u; k += 1u) {
    if (4u * c + k < params.cols) {
      if (slot == 0u) {
        v[k] = dgamma_out[4u * c + k];
      } else {
        v[k] = dbeta_out[4u * c + k];
      }
    }
  }
  return v;
}
fn io_partial_set(slot: u32, c: u32, v: vec4<f32>) {
  for (var k = 0u; k < 4u; k += 1u) {
    if (4u * c + k < params.cols) {
      if (slot == 0u) {
        dgamma_out[4u * c + k] = v[k];
      } else {
        dbeta_out[4u * c + k] = v[k];
      }
    }
  }
}
