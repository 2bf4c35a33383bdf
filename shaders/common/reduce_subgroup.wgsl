// Row reduction with subgroup operations: subgroupAdd inside each subgroup (any subgroup size),
// one partial per subgroup in workgroup memory, one barrier, then every invocation adds the
// partials in subgroup order (deterministic). Requires THREADS_PER_ROW = WORKGROUP_SIZE (one row
// per workgroup) and the `subgroups` feature; the TypeScript selection enforces both.
enable subgroups;

var<private> sg_id: u32;
var<private> sg_count: u32;
var<workgroup> part1: array<f32, WORKGROUP_SIZE>;
var<workgroup> part2: array<vec2<f32>, WORKGROUP_SIZE>;

fn reduce_row1(v: f32, lid: u32, t: u32) -> f32 {
  let s = subgroupAdd(v);
  if (subgroupElect()) { part1[sg_id] = s; }
  workgroupBarrier();
  var total = 0.0;
  for (var i = 0u; i < sg_count; i += 1u) { total += part1[i]; }
  return total;
}

fn reduce_row2(v: vec2<f32>, lid: u32, t: u32) -> vec2<f32> {
  let s = subgroupAdd(v);
  if (subgroupElect()) { part2[sg_id] = s; }
  workgroupBarrier();
  var total = vec2<f32>(0.0);
  for (var i = 0u; i < sg_count; i += 1u) { total += part2[i]; }
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
