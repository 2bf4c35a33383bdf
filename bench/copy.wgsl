// The copy roofline: reads every vec4 of `src` once and writes it to `dst` once, the least memory
// traffic any kernel that reads a tensor and writes one of the same size can do. The benchmark
// times it on the same adapter as the kernels and reports kernel time / copy time.
//
// Two shapes, because the fastest copy differs by adapter:
// - copy_vec4 (GPU-shaped): each workgroup copies one tile of WORKGROUP_SIZE * ITEMS vec4;
//   invocation i copies tile elements i, i + WORKGROUP_SIZE, ... so neighbouring invocations
//   touch neighbouring addresses (coalesced).
// - copy_span (CPU-shaped): each invocation copies ITEMS consecutive vec4, four per loop
//   iteration. On CPU implementations of WebGPU (SwiftShader) per-invocation and per-iteration
//   overhead dominate, and this runs ~1.5-2.5x faster than any tile shape there.
// - copy_lanes (also CPU-shaped): LANES neighbouring invocations share a span of LANES * ITEMS
//   vec4 and invocation l of them copies vec4 l, l + LANES, ... of it, so one SIMD group of a CPU
//   adapter reads one contiguous run per step. On llvmpipe (8 lanes) this measured 0.7-0.9x the
//   time of copy_span at 4096x1024; left out, the floor would flatter the kernels there.
// The grid may be folded into 2D (see foldWorkgroups); surplus workgroups and the tail are skipped
// by the bounds check against arrayLength, so no uniform is needed and the layout is just the two
// buffers.

override WORKGROUP_SIZE: u32 = 256;
override ITEMS: u32 = 1;
// Invocations sharing one span in the lanes shapes (a power of two dividing WORKGROUP_SIZE).
override LANES: u32 = 8;

@group(0) @binding(0) var<storage, read> src: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> dst: array<vec4<f32>>;

// The invocation's first element in the tile shapes (the grid may be folded into 2D).
fn tile_first(wid: vec3<u32>, groups: vec3<u32>, lid: u32) -> u32 {
  return (wid.y * groups.x + wid.x) * WORKGROUP_SIZE * ITEMS + lid;
}

// The invocation's [start, end) in the span shapes, clamped to the array.
fn span_of(wid: vec3<u32>, groups: vec3<u32>, lid: u32) -> vec2<u32> {
  let n = arrayLength(&dst);
  let start = ((wid.y * groups.x + wid.x) * WORKGROUP_SIZE + lid) * ITEMS;
  return vec2<u32>(start, min(start, n) + min(ITEMS, n - min(start, n)));
}

// The invocation's first element in the lanes shapes, and its stride.
fn lanes_first(wid: vec3<u32>, groups: vec3<u32>, lid: u32) -> u32 {
  let g = (wid.y * groups.x + wid.x) * WORKGROUP_SIZE + lid;
  return (g / LANES) * LANES * ITEMS + g % LANES;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn copy_lanes(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let n = arrayLength(&dst);
  var i = lanes_first(wid, groups, lid);
  for (var k = 0u; k < ITEMS; k++) {
    if (i < n) {
      dst[i] = src[i];
    }
    i += LANES;
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn copy_vec4(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let n = arrayLength(&dst);
  var i = tile_first(wid, groups, lid);
  for (var k = 0u; k < ITEMS; k++) {
    if (i < n) {
      dst[i] = src[i];
    }
    i += WORKGROUP_SIZE;
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn copy_span(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let span = span_of(wid, groups, lid);
  let start = span.x;
  let end = span.y;
  var i = start;
  for (; i + 4u <= end; i += 4u) {
    dst[i] = src[i];
    dst[i + 1u] = src[i + 1u];
    dst[i + 2u] = src[i + 2u];
    dst[i + 3u] = src[i + 3u];
  }
  for (; i < end; i++) {
    dst[i] = src[i];
  }
}

// The two-read floor: what any kernel that needs statistics of its data before its first output
// (a norm) costs at least when the data is not held in registers: read the tensor, read it again,
// write it once. Pass 1 sums each invocation's elements, pass 2 writes x - sum (one operation per
// element in each pass, so neither read can be dropped). On GPUs a norm keeps its row in
// registers and the copy is its floor; on CPU adapters (SwiftShader) a lane cannot hold a row and
// this is the floor instead. Same two shapes and bounds checks as the copies above.
@compute @workgroup_size(WORKGROUP_SIZE)
fn reread_vec4(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let n = arrayLength(&dst);
  let first = tile_first(wid, groups, lid);
  var s = vec4<f32>(0.0);
  var i = first;
  for (var k = 0u; k < ITEMS; k++) {
    if (i < n) {
      s += src[i];
    }
    i += WORKGROUP_SIZE;
  }
  i = first;
  for (var k = 0u; k < ITEMS; k++) {
    if (i < n) {
      dst[i] = src[i] - s;
    }
    i += WORKGROUP_SIZE;
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn reread_span(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let span = span_of(wid, groups, lid);
  let start = span.x;
  let end = span.y;
  var s = vec4<f32>(0.0);
  var i = start;
  for (; i + 4u <= end; i += 4u) {
    s += (src[i] + src[i + 1u]) + (src[i + 2u] + src[i + 3u]);
  }
  for (; i < end; i++) {
    s += src[i];
  }
  i = start;
  for (; i + 4u <= end; i += 4u) {
    dst[i] = src[i] - s;
    dst[i + 1u] = src[i + 1u] - s;
    dst[i + 2u] = src[i + 2u] - s;
    dst[i + 3u] = src[i + 3u] - s;
  }
  for (; i < end; i++) {
    dst[i] = src[i] - s;
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn reread_lanes(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let n = arrayLength(&dst);
  let first = lanes_first(wid, groups, lid);
  var s = vec4<f32>(0.0);
  var i = first;
  for (var k = 0u; k < ITEMS; k++) {
    if (i < n) {
      s += src[i];
    }
    i += LANES;
  }
  i = first;
  for (var k = 0u; k < ITEMS; k++) {
    if (i < n) {
      dst[i] = src[i] - s;
    }
    i += LANES;
  }
}
