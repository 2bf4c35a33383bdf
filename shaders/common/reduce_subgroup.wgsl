// Row reduction with subgroup operations: subgroupAdd inside each subgroup (any subgroup size),
// one partial per subgroup in workgroup memory, one barrier, then every invocation adds the
// partials in subgroup order (deterministic); a workgroup that fits in one subgroup needs only the
// subgroupAdd. Requires THREADS_PER_ROW = WORKGROUP_SIZE (one row per workgroup) and the
// `subgroups` feature; the TypeScript selection enforces both.
enable subgroups;

// The device's smallest subgroup size (adapter info); WebGPU guarantees at least 4.
override SUBGROUP_MIN_SIZE: u32 = 4u;

var<private> sg_id: u32;
var<private> sg_count: u32;
// One partial per subgroup; separate arrays for a row's first and second reduction.
var<workgroup> part_a: array<vec2<f32>, WORKGROUP_SIZE>;
var<workgroup> part_b: array<vec2<f32>, WORKGROUP_SIZE>;

fn reduce_row2(v: vec2<f32>, lid: u32, t: u32, second: bool) -> vec2<f32> {
  if (THREADS_PER_ROW == 1u) { return v; }
  // A workgroup no larger than the smallest subgroup is one subgroup: no barrier, no partials.
  if (WORKGROUP_SIZE <= SUBGROUP_MIN_SIZE) { return subgroupAdd(v); }
  let s = subgroupAdd(v);
  if (subgroupElect()) {
    if (second) { part_b[sg_id] = s; } else { part_a[sg_id] = s; }
  }
  workgroupBarrier();
  var total = vec2<f32>(0.0);
  for (var i = 0u; i < sg_count; i += 1u) {
    total += select(part_a[i], part_b[i], second);
  }
  return total;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32,
        @builtin(subgroup_id) sid: u32,
        @builtin(num_subgroups) nsg: u32) {
  sg_id = sid;
  sg_count = nsg;
  row_norm(wid.y * nwg.x + wid.x, lid);
}
