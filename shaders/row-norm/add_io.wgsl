// What the three fused residual-add input sides share: their overrides, the per-row statistics
// of sum (computed in the same pass, e.g. for the backward pass) and the residual broadcast.

override HAS_BIAS: bool = false;
// Whether sum is written (the encode form's `sum` is optional). Without it, later passes
// recompute x + residual instead of reading sum back.
override WRITE_SUM: bool = true;
// The residual has params.residual_rows rows (dividing rows) and row r adds residual row
// r % residual_rows, read in place (ONNX SkipLayerNormalization's (S, H) skip over a (B, S, H)
// input). Off: residual row r, no index arithmetic.
override RESIDUAL_BROADCAST: bool = false;

// Sum's per-row (mean, rstd) go to the scratch `partials` past the split-row partials (which
// take rows * SPLIT_SEGMENTS entries in the split phases), and a tiny second dispatch
// (add_stats_copy.wgsl) copies them into the caller's mean and rstd: a fused kernel already
// binds 8 storage buffers, WebGPU's default maxStorageBuffersPerShaderStage.
fn io_stats(row: u32, m: f32, r: f32) {
  let first = select(0u, params.rows * SPLIT_SEGMENTS, SPLIT_PHASE != 0u);
  partials[first + row] = vec4<f32>(m, r, 0.0, 0.0);
}

// The residual's index of the row whose x index is `base` (`per_row`: a row's length in this view).
fn residual_base(base: u32, per_row: u32) -> u32 {
  if (!RESIDUAL_BROADCAST) { return base; }
  return ((base / per_row) % params.residual_rows) * per_row;
}
