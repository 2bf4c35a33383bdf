/**
 * A digest (16 hex digits, two 32-bit FNV-1a lanes) over the bytes of a case's outputs, in a fixed
 * order. The GPU case tables record it so that a refactor can prove its outputs bit-identical: run
 * the GPU project with `OUTPUT_HASHES=before.json`, change the code, run again with
 * `OUTPUT_HASHES=after.json`, and compare with `tsx tools/compare-hashes.ts before.json after.json`.
 */
export function outputHash(...arrays: (ArrayBufferView | undefined | null)[]): string {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (const view of arrays) {
    if (!view) {
      a = Math.imul(a ^ 0xff, 0x01000193) >>> 0;
      continue;
    }
    const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
    for (let i = 0; i < bytes.length; i++) {
      a = Math.imul(a ^ bytes[i]!, 0x01000193) >>> 0;
      b = Math.imul(b ^ a, 0x01000193) >>> 0;
    }
  }
  return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0');
}
