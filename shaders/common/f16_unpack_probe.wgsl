// Is WGSL's unpack2x16float exact on this device? WGSL lets an implementation flush subnormal
// halves to zero; where it does not, the packed-f16 kernels can use it bare (F16_UNPACK_EXACT in
// f16.wgsl). Each invocation unpacks one word holding two halves, 32768 words in all, so every one
// of the 65536 halves, and compares each with f16_to_f32 (exact on the bits). `counts[0]` counts
// the halves checked, `counts[1]` those that differ. A NaN matches a NaN of the same sign: payloads
// are not promised (f16_pack4_fast writes every NaN as the quiet NaN of its sign).
// Dispatched by src/core/f16-probe.ts as 512 workgroups of 64, with F16_UNPACK_EXACT left false, so
// f16_to_f32 is the conversion on the bits.
// #include "f16.wgsl"

@group(0) @binding(0) var<storage, read_write> counts: array<atomic<u32>, 2>;

fn same(got: f32, half: u32) -> bool {
  let g = bitcast<u32>(got);
  let e = bitcast<u32>(f16_to_f32(half));
  let nan = (g & 0x7fffffffu) > 0x7f800000u && (e & 0x7fffffffu) > 0x7f800000u;
  return g == e || (nan && (g & 0x80000000u) == (e & 0x80000000u));
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x >= 32768u) { return; }
  let lo = 2u * gid.x;
  let hi = lo + 1u;
  let v = unpack2x16float(lo | (hi << 16u));
  atomicAdd(&counts[0], 2u);
  if (!same(v.x, lo)) { atomicAdd(&counts[1], 1u); }
  if (!same(v.y, hi)) { atomicAdd(&counts[1], 1u); }
}
