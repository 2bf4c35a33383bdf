// Row reduction in workgroup memory: a pairwise tree over the THREADS_PER_ROW invocations of
// each row (one barrier per level; none when THREADS_PER_ROW = 1). Portable to every device.
// Also holds the entry point, so that a subgroup build can declare subgroup builtins instead.

// Two arrays, one per reduction of a row, so the second reduction's writes cannot race with
// invocations still reading the first one's result (that would need another barrier).
var<workgroup> red_a: array<vec2<f32>, WORKGROUP_SIZE>;
var<workgroup> red_b: array<vec2<f32>, WORKGROUP_SIZE>;

// Sum of v over the THREADS_PER_ROW invocations of this row; `second` picks the array.
fn reduce_row2(v: vec2<f32>, lid: u32, t: u32, second: bool) -> vec2<f32> {
  if (THREADS_PER_ROW == 1u) { return v; }
  if (second) { red_b[lid] = v; } else { red_a[lid] = v; }
  for (var half = THREADS_PER_ROW / 2u; half > 0u; half = half / 2u) {
    workgroupBarrier();
    if (t < half) {
      if (second) { red_b[lid] += red_b[lid + half]; } else { red_a[lid] += red_a[lid + half]; }
    }
  }
  workgroupBarrier();
  return select(red_a[lid - t], red_b[lid - t], second);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  row_norm(wid.y * nwg.x + wid.x, lid);
}
