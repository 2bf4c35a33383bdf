// y written as packed f16 (rounded once from the f32 result), for any width and any input side.
// Rows of odd width start mid-word, so y is written through common/f16_chunk.wgsl (whole words
// stored, shared halves merged atomically).
// #include "../common/f16_chunk.wgsl"

@group(0) @binding(2) var<storage, read_write> y: array<atomic<u32>>;

fn io_store(base: u32, c: u32, v: vec4<f32>) {
  let writes = f16_chunk_writes(io_row_start(base) + 4u * c, min(4u, params.cols - 4u * c), v);
  for (var i = 0u; i < writes.count; i += 1u) {
    let w = writes.w[i];
    if (w.mask == 0xffffffffu) {
      atomicStore(&y[w.index], w.bits);
    } else {
      atomicAnd(&y[w.index], ~w.mask);
      atomicOr(&y[w.index], w.bits);
    }
  }
}
