// The guard of the one-pass shifted statistics, shared by the row norms (common/row_norm.wgsl,
// common/row_norm_split.wgsl) and the GroupNorm / BatchNorm statistics (norm_stats.wgsl): sums of
// d = x - pivot and d^2 over n elements give m1 = mean(d) and mean_sq = mean(d^2), and the variance
// mean_sq - m1^2 is kept only when the pivot lies within about 2.6 standard deviations of the mean
// (m1^2 <= 7 var, i.e. m1^2 <= 0.875 mean_sq), where the subtraction amplifies rounding by at most
// 8x (~1e-6 relative in the variance). Otherwise (an outlier pivot, or NaN) the caller takes the
// exact second pass around pivot + m1.
fn shifted_sums_kept(m1: f32, mean_sq: f32) -> bool {
  return m1 * m1 <= 0.875 * mean_sq;
}

// The same for four statistics at once: true only when all four are kept.
fn shifted_sums_kept4(m1: vec4<f32>, mean_sq: vec4<f32>) -> bool {
  return all(m1 * m1 <= 0.875 * mean_sq);
}
