// The activation GroupNorm / InstanceNorm fuse into their elementwise pass (channel_apply.wgsl,
// ../group-norm/group_norm_fused.wgsl): y = silu(v) = v * sigmoid(v) when SILU, else v, applied to
// the final f32 value before its one rounding to the storage type.
//
// sigmoid is built from e = exp(-|v|), which lies in (0, 1], never from exp(+|v|): exp overflows
// f32 past 88.7 and WGSL leaves an overflowing builtin's result indeterminate, so v / (1 + exp(-v))
// could give NaN for v = -100 instead of -0. With e <= 1 both branches stay finite:
// v >= 0: 1 / (1 + e); v < 0: e / (1 + e) (e underflows to 0 for v < -104: silu = -0).

// silu instead of the identity.
override SILU: bool = false;

fn activate(v: f32) -> f32 {
  if (!SILU) { return v; }
  let e = exp(-abs(v));
  return v * (select(e, 1.0, v >= 0.0) / (1.0 + e));
}

fn activate2(v: vec2<f32>) -> vec2<f32> {
  if (!SILU) { return v; }
  let e = exp(-abs(v));
  return v * (select(e, vec2<f32>(1.0), v >= vec2<f32>(0.0)) / (1.0 + e));
}

fn activate4(v: vec4<f32>) -> vec4<f32> {
  if (!SILU) { return v; }
  let e = exp(-abs(v));
  return v * (select(e, vec4<f32>(1.0), v >= vec4<f32>(0.0)) / (1.0 + e));
}
