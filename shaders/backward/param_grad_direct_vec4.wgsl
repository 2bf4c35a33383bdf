// The one-block alternative to common/param_grad_partials_vec4.wgsl: when all rows form a single
// block (decode-sized batches) its partial rows are already dgamma and dbeta, so the dx kernel
// writes them into the caller's buffers and the final stage, a whole dispatch, is skipped. dbeta
// takes binding 7, which dsum holds in the partials form: only for calls without dsum.

@group(0) @binding(7) var<storage, read_write> dbeta_out: array<vec4<f32>>;
@group(0) @binding(8) var<storage, read_write> dgamma_out: array<vec4<f32>>;

// Never called (HAS_DSUM is false with this file); present for the interface.
fn io_dsum(base: u32, c: u32) -> vec4<f32> { return vec4<f32>(0.0); }
// Slot 0 is the block's dgamma row, slot 1 its dbeta row (the only block's rows).
fn io_partial_get(slot: u32, c: u32) -> vec4<f32> {
  if (slot == 0u) { return dgamma_out[c]; }
  return dbeta_out[c];
}
fn io_partial_set(slot: u32, c: u32, v: vec4<f32>) {
  if (slot == 0u) {
    dgamma_out[c] = v;
  } else {
    dbeta_out[c] = v;
  }
}
