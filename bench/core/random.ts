/**
 * Deterministic benchmark inputs: the same seed gives the same tensors in Chromium and in Node,
 * so the two runtimes time and verify identical data.
 */

/** mulberry32: a small, fast, well-distributed 32-bit generator; floats in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `length` samples of N(mean, std²) (Box–Muller) from `seed`.
 *
 * @example
 * ```ts
 * const x = normalArray(128 * 768, 1);
 * ```
 */
export function normalArray(length: number, seed: number, mean = 0, std = 1): Float32Array {
  const random = mulberry32(seed);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    const u = 1 - random();
    const v = random();
    out[i] = mean + std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  return out;
}
