// The sum of a vector's four lanes, pairwise: the one order every kernel reduces its vec4 partial
// sums in (row norms, backward, GroupNorm / BatchNorm statistics).
fn horizontal(v: vec4<f32>) -> f32 {
  return (v.x + v.y) + (v.z + v.w);
}
