// Row reduction in workgroup memory: a pairwise tree over the THREADS_PER_ROW invocations of
// each row (one barrier per level; none when THREADS_PER_ROW = 1). Portable to every device.
// Also holds the entry point, so that a subgroup build can declare subgroup builtins instead.

var<workgroup> red1: array<f32, WORKGROUP_SIZE>;
var<workgroup> red2: array<vec2<f32>, WORKGROUP_SIZE>;

fn reduce_row1(v: f32, lid: u32, t: u32) -> f32 {
  if (THREADS_PER_ROW == 1u) { return v; }
  red1[lid] = v;
  for (var half = THREADS_PER_ROW / 2u; half > 0u; half = half / 2u) {
    workgroupBarrier();
    if (t < half) { red1[lid] += red1[lid + half]; }
  }
  workgroupBarrier();
  return red1[lid - t];
}

fn reduce_row2(v: vec2<f32>, lid: u32, t: u32) -> vec2<f32> {
  if (THREADS_PER_ROW == 1u) { return v; }
  red2[lid] = v;
  for (var half = THREADS_PER_ROW / 2u; half > 0u; half = half / 2u) {
    workgroupBarrier();
    if (t < half) { red2[lid] += red2[lid + half]; }
  }
  workgroupBarrier();
  return red2[lid - t];
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  row_norm(wid.y * nwg.x + wid.x, lid);
}
