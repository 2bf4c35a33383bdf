/**
 * The branch-free packed-f16 conversions of shaders/common/f16.wgsl (f16_unpack4_fast,
 * f16_pack4_fast, used by the chunk-at-a-time packed row-norm kernel) run on the node project's
 * adapter (Dawn: SwiftShader by default, lavapipe with VK_ICD_FILENAMES) against the library's
 * exact conversions (src/core/f16.ts): every one of the 65536 halves in every lane for the
 * unpack; for the pack, every half's value, every midpoint between neighbouring halves and the
 * f32 values either side of it (ties to even, the overflow threshold 65520, the subnormal range),
 * and pseudo-random f32 bit patterns of every exponent (f32 subnormals, Inf, NaN). The pack must
 * match bit for bit; the unpack too, except that a NaN half may come back with its payload quieted
 * (lavapipe does; sign and NaN-ness must hold), which no kernel output can show: every use of x
 * goes through f32 arithmetic, which quiets it anyway.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type * as Lib from '../../src/index.js';

const lib = (await import(new URL('../../dist/index.js', import.meta.url).href)) as typeof Lib;
const { createNormalizer, toF16Array, fromF16Array } = lib;

const F16 = readFileSync(new URL('../../shaders/common/f16.wgsl', import.meta.url), 'utf8');
const KERNEL = `${F16}
@group(0) @binding(0) var<storage, read> src: array<vec4<u32>>;
@group(0) @binding(1) var<storage, read_write> dst: array<vec4<u32>>;
override PACK: bool = false;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = id.x;
  if (i >= arrayLength(&src)) { return; }
  let s = src[i];
  if (PACK) {
    // two vec4 of f32 per output vec4: lanes 0-1 hold the packed words of s
    dst[i] = vec4<u32>(f16_pack4_fast(bitcast<vec4<f32>>(s)), 0u, 0u);
  } else {
    dst[i] = bitcast<vec4<u32>>(f16_unpack4_fast(s.x, s.y));
  }
}`;

let norm: Lib.Normalizer;
beforeAll(async () => {
  norm = await createNormalizer();
});
afterAll(() => norm?.destroy());

async function run(pack: boolean, input: Uint32Array): Promise<Uint32Array> {
  const device = norm.device;
  const U = GPUBufferUsage;
  const layout = device.createBindGroupLayout({
    entries: [
      { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'read-only-storage' } },
      { binding: 1, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'storage' } },
    ],
  });
  const pipeline = device.createComputePipeline({
    layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
    compute: { module: device.createShaderModule({ code: KERNEL }), entryPoint: 'main', constants: { PACK: pack ? 1 : 0 } },
  });
  const src = device.createBuffer({ size: input.byteLength, usage: U.STORAGE | U.COPY_DST });
  device.queue.writeBuffer(src, 0, input);
  const dst = device.createBuffer({ size: input.byteLength, usage: U.STORAGE | U.COPY_SRC });
  const read = device.createBuffer({ size: input.byteLength, usage: U.MAP_READ | U.COPY_DST });
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, device.createBindGroup({ layout, entries: [{ binding: 0, resource: { buffer: src } }, { binding: 1, resource: { buffer: dst } }] }));
  pass.dispatchWorkgroups(Math.ceil(input.length / 4 / 64));
  pass.end();
  encoder.copyBufferToBuffer(dst, 0, read, 0, input.byteLength);
  device.queue.submit([encoder.finish()]);
  await read.mapAsync(GPUMapMode.READ);
  const out = new Uint32Array(read.getMappedRange().slice(0));
  for (const b of [src, dst, read]) b.destroy();
  return out;
}

const bitsOf = (v: Float32Array) => new Uint32Array(v.buffer, v.byteOffset, v.length);
const isNaN32 = (b: number) => (b & 0x7fffffff) > 0x7f800000;

describe('packed f16 conversions in WGSL (branch-free forms)', () => {
  test('f16_unpack4_fast: every half, in every lane, exact (NaN payloads may be quieted)', async () => {
    // Vector i holds halves (h, h ^ 0x8000, 65535 - h, h ^ 0x7fff) with h = i: every half in every lane.
    const n = 65536;
    const halves = new Uint16Array(4 * n);
    for (let h = 0; h < n; h++) halves.set([h, h ^ 0x8000, 65535 - h, h ^ 0x7fff], 4 * h);
    const input = new Uint32Array(4 * n);
    for (let i = 0; i < n; i++) {
      input[4 * i] = halves[4 * i]! | (halves[4 * i + 1]! << 16);
      input[4 * i + 1] = halves[4 * i + 2]! | (halves[4 * i + 3]! << 16);
    }
    const got = await run(false, input);
    const want = bitsOf(fromF16Array(halves));
    let bad = 0;
    let example = '';
    for (let k = 0; k < 4 * n; k++) {
      const g = got[k]!;
      const w = want[k]!;
      // (JS canonicalizes NaN, so a NaN half's sign is taken from the half itself)
      const ok = isNaN32(w) ? isNaN32(g) && g >>> 31 === halves[k]! >>> 15 : g === w;
      if (!ok && bad++ === 0) example = `half 0x${halves[k]!.toString(16)}: got 0x${g.toString(16)}, want 0x${w.toString(16)}`;
    }
    expect(bad, example).toBe(0);
  });

  test('f16_pack4_fast: halves, midpoints and their neighbours, random bits: bit-identical to f32ToF16', async () => {
    const values: number[] = [];
    const f = new Float32Array(1);
    const b = bitsOf(f);
    const all = fromF16Array(Uint16Array.from({ length: 65536 }, (_, h) => h));
    for (let h = 0; h < 65536; h++) {
      f[0] = all[h]!;
      values.push(b[0]!);
      // midpoint towards the next half in magnitude (0x7bff -> 65520, the overflow threshold)
      if ((h & 0x7fff) < 0x7c00) {
        const next = (h & 0x7fff) === 0x7bff ? Math.sign(all[h]! || 1) * 65536 : all[h + 1]!;
        f[0] = (all[h]! + next) / 2;
        values.push(b[0]!, (b[0]! + 1) >>> 0, (b[0]! - 1) >>> 0);
      }
    }
    let s = 0x2545f491;
    for (let i = 0; i < 262144; i++) values.push((s = (Math.imul(s, 1664525) + 1013904223) >>> 0));
    values.push(0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7f800001, 0x00000001, 0x80000001, 0x007fffff);
    while (values.length % 4) values.push(0);
    const input = Uint32Array.from(values);
    const got = await run(true, input);
    const want = toF16Array(new Float32Array(input.buffer));
    let bad = 0;
    let example = '';
    for (let k = 0; k < input.length; k++) {
      const word = got[4 * (k >> 2) + ((k & 3) >> 1)]!;
      const g = k & 1 ? word >>> 16 : word & 0xffff;
      if (g !== want[k] && bad++ === 0) example = `f32 0x${input[k]!.toString(16)}: got 0x${g.toString(16)}, want 0x${want[k]!.toString(16)}`;
    }
    expect(bad, example).toBe(0);
  });
});
