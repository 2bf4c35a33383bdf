// The one rule for turning a variance into the normalizing scale, shared by the row norms and the
// GroupNorm / BatchNorm statistics: 1 / sqrt(var + eps), or 1 / (std + eps) (`add_to_std`, as in
// the Annotated Transformer). A variance that is not finite (a NaN or ±Inf in the row or group)
// gives NaN: WGSL leaves inverseSqrt(Inf) indeterminate, and RMSNorm's 1 / sqrt(Inf) = 0 would turn
// a poisoned row into silent zeros; NaN makes every output of it visibly poisoned, the library's
// contract. Callers clamp rounding below zero first (with select(): max(NaN, 0) is 0 on some
// implementations).
// (The parameter is not called `variance`: the build-time reflection would take the name for
// norm_stats.wgsl's `variance` binding and require it in every entry point that calls this.)
fn rstd_from_variance(var_value: f32, epsilon: f32, add_to_std: bool) -> f32 {
  var r: f32;
  if (add_to_std) { r = 1.0 / (sqrt(var_value) + epsilon); } else { r = inverseSqrt(var_value + epsilon); }
  // A NaN built at run time (a constant NaN is a shader-creation error in WGSL).
  let nan = bitcast<f32>(0x7fc00000u | (bitcast<u32>(epsilon) & 0u));
  return select(nan, r, var_value <= 0x1.fffffep+127f);
}
