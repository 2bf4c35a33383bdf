// Where a kernel that reads several rows per invocation on a CPU adapter starts along them. One
// SIMD step reads the same chunk of lanes x rows rows; rows whose length shares a large power of
// two with 4 KiB (2, 3, 4, 8 KiB...) start on few offsets modulo 4 KiB, which is what an L1 data
// cache maps onto its sets, so those rows compete for few sets. Starting each invocation (or team)
// ROTATE_CHUNKS chunks (one 64-byte line) after its neighbour and wrapping round spreads them
// (chunkRotation in src/ops/row-norm/variant.ts says where). It changes the order of the chunks
// only: sums still run in blocks of BLOCK chunks, with the same error bound.
// Included by row-norm/row_norm_multi.wgsl and backward/row_norm_backward_core.wgsl.

// Chunks between neighbouring invocations' starts (0: every invocation starts at chunk 0).
override ROTATE_CHUNKS: u32 = 0u;

// Where invocation (or team) `index` starts along rows of n chunks.
fn rotation_start(index: u32, n: u32) -> u32 {
  if (ROTATE_CHUNKS == 0u || n == 0u) { return 0u; }
  return (index * ROTATE_CHUNKS) % n;
}

// The c-th chunk of n in the order that starts at `start` (c < n, start < n). ROTATE_CHUNKS = 0
// is a constant test once the pipeline is made: no added work in the loops then.
fn rotated(c: u32, start: u32, n: u32) -> u32 {
  if (ROTATE_CHUNKS == 0u) { return c; }
  let k = c + start;
  return select(k, k - n, k >= n);
}
