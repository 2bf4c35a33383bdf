// The ONNX layer's parameter conversion (src/onnx/convert.ts): one dispatch that turns an ONNX
// scale, bias or running statistic into what a family kernel reads, in scratch, before the kernel
// runs. The family kernels read per-feature parameters as f32 vectors of their full width; ONNX
// allows float16 parameters, a LayerNormalization Scale broadcastable within the normalized block,
// and GroupNormalization-18's per-group scale. Rather than teach every kernel those forms, the
// parameter (small: one element per feature or channel) is converted once:
//   dst[i] = src[broadcast(i)]   (f16 or f32 source; f32 or packed f16 destination)
// where broadcast(i) splits i over up to four destination dims (dims0 slowest) and re-joins the
// digits with the source's strides, 0 on a broadcast dim. Exact: a copy, an f16 → f32 widening, or
// one rounding f32 → f16 (the BatchNormalization running statistics of a float16 T2).
// #include "../common/f16.wgsl"

struct Params {
  // Destination elements.
  count: u32,
  dims1: u32,
  dims2: u32,
  dims3: u32,
  strides0: u32,
  strides1: u32,
  strides2: u32,
  strides3: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
// f32 bits, or two binary16 per word (element 2k in the low half) with SRC_F16.
@group(0) @binding(1) var<storage, read> src: array<u32>;
// f32 bits, or two binary16 per word with DST_F16.
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;

override WORKGROUP_SIZE: u32 = 64u;
override SRC_F16: bool = false;
override DST_F16: bool = false;

fn source_index(i: u32) -> u32 {
  var rest = i;
  let d3 = rest % params.dims3;
  rest = rest / params.dims3;
  let d2 = rest % params.dims2;
  rest = rest / params.dims2;
  let d1 = rest % params.dims1;
  let d0 = rest / params.dims1;
  return d0 * params.strides0 + d1 * params.strides1 + d2 * params.strides2 + d3 * params.strides3;
}

fn source(i: u32) -> f32 {
  let k = source_index(i);
  if (SRC_F16) {
    return f16_select(src[k >> 1u], k & 1u);
  }
  return bitcast<f32>(src[k]);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn convert(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  // The grid may be folded into two dimensions (more words than one dimension holds).
  let word = (wg.y * groups.x + wg.x) * WORKGROUP_SIZE + lane;
  if (DST_F16) {
    let first = word * 2u;
    if (first >= params.count) {
      return;
    }
    let hi = select(0.0, source(first + 1u), first + 1u < params.count);
    dst[word] = f16_pack(source(first), hi);
    return;
  }
  if (word >= params.count) {
    return;
  }
  dst[word] = bitcast<u32>(source(word));
}
