// Writing one chunk (up to 4 consecutive halves) into a packed f16 array that other invocations
// write too. A u32 word whose two halves both belong to this chunk is stored whole; a word shared
// with the neighbouring chunk or row (odd widths start rows mid-word) gets only its half, through
// atomicAnd + atomicOr, so concurrent writers of the other half are never overwritten.
// The caller applies each returned write to its own array<atomic<u32>>.
// #include "f16.wgsl"

struct WordWrite {
  index: u32,
  bits: u32,
  // 0xffffffff: whole word; 0x0000ffff / 0xffff0000: only that half.
  mask: u32,
}

struct ChunkWrites {
  count: u32,
  w: array<WordWrite, 3>,
}

// g0: global element index of the chunk's first element; n: valid elements (1..4).
fn f16_chunk_writes(g0: u32, n: u32, v: vec4<f32>) -> ChunkWrites {
  var out: ChunkWrites;
  out.count = 0u;
  var k = 0u;
  if ((g0 & 1u) == 1u) {
    out.w[0] = WordWrite(g0 >> 1u, f32_to_f16(v[0]) << 16u, 0xffff0000u);
    out.count = 1u;
    k = 1u;
  }
  while (k + 1u < n) {
    out.w[out.count] = WordWrite((g0 + k) >> 1u, f16_pack(v[k], v[k + 1u]), 0xffffffffu);
    out.count += 1u;
    k += 2u;
  }
  if (k < n) {
    out.w[out.count] = WordWrite((g0 + k) >> 1u, f32_to_f16(v[k]), 0x0000ffffu);
    out.count += 1u;
  }
  return out;
}

