/**
 * The f16 experiments of run.mjs (`run.mjs 4096x1024 31 f16`): what the exact packed-f16
 * conversions cost on CPU adapters, and cheaper exact forms. Every kernel but the floors reads a
 * chunk of four packed halves, converts it to f32, computes x * 1.5 + 0.25 and writes it back as
 * packed halves; only the conversion functions differ. `builtins` (WGSL's unpack2x16float /
 * pack2x16float, not exact everywhere) is the bound the exact forms are measured against.
 * The candidates that are kept live in shaders/common/f16.wgsl, whose exhaustive test
 * (test/node/f16-convert.test.ts) checks them bit for bit.
 */
import { readFileSync } from 'node:fs';

const F16 = readFileSync(new URL('../../shaders/common/f16.wgsl', import.meta.url), 'utf8');

// Unpack candidates: two packed words -> four f32.
const unpacks = {
  lib: 'f16_unpack4_fast(a, b)',
  previous: 'u_prev(a, b)',
  builtin: 'vec4<f32>(unpack2x16float(a), unpack2x16float(b))',
  signed: 'u_signed(a, b)', // the previous form with m converted as i32
  magic: 'u_magic(a, b)',
  magicMul: 'u_magic_mul(a, b)',
};
// Pack candidates: four f32 -> two packed words.
const packs = {
  lib: 'f16_pack4_fast(v)',
  previous: 'p_prev(v)',
  builtin: 'vec2<u32>(pack2x16float(v.xy), pack2x16float(v.zw))',
  loShifts: 'p_lo(v)',
  noShift: 'p_noshift(v)',
};

const candidates = /* wgsl */ `
// The library's forms before these experiments (shifts to move the high halves, u32 -> f32).
fn u_prev(a: u32, b: u32) -> vec4<f32> {
  let bits = vec4<u32>(a, a >> 16u, b, b >> 16u);
  let m = bits & vec4<u32>(0x3ffu);
  let sub = ((bits & vec4<u32>(0x7c00u)) == vec4<u32>(0u)) & (m != vec4<u32>(0u));
  let mag = vec4<f32>(m) * 5.9604644775390625e-8;
  let sub_f = select(mag, -mag, (bits & vec4<u32>(0x8000u)) != vec4<u32>(0u));
  return select(vec4<f32>(unpack2x16float(a), unpack2x16float(b)), sub_f, sub);
}
fn p_prev(v: vec4<f32>) -> vec2<u32> {
  let b = bitcast<vec4<u32>>(v);
  let a = b & vec4<u32>(0x7fffffffu);
  let r = a - vec4<u32>(0x38000000u);
  let normal = (r + vec4<u32>(0xfffu) + ((r >> vec4<u32>(13u)) & vec4<u32>(1u))) >> vec4<u32>(13u);
  let sub = bitcast<vec4<u32>>(bitcast<vec4<f32>>(a) + vec4<f32>(0.5)) - vec4<u32>(0x3f000000u);
  var h = select(normal, sub, a < vec4<u32>(0x38800000u));
  h = select(h, vec4<u32>(0x7c00u), a >= vec4<u32>(0x477ff000u));
  h = select(h, vec4<u32>(0x7e00u), a > vec4<u32>(0x7f800000u));
  h |= (b >> vec4<u32>(16u)) & vec4<u32>(0x8000u);
  return vec2<u32>(h.x | (h.y << 16u), h.z | (h.w << 16u));
}
// The previous unpack with m converted as i32 (cvtdq2ps) instead of u32.
fn u_signed(a: u32, b: u32) -> vec4<f32> {
  let bits = vec4<u32>(a, a >> 16u, b, b >> 16u);
  let m = bits & vec4<u32>(0x3ffu);
  let sub = ((bits & vec4<u32>(0x7fffu)) - vec4<u32>(1u)) < vec4<u32>(0x3ffu);
  let mag = vec4<f32>(vec4<i32>(m)) * 5.9604644775390625e-8;
  let sub_f = select(mag, -mag, (bits & vec4<u32>(0x8000u)) != vec4<u32>(0u));
  return select(vec4<f32>(unpack2x16float(a), unpack2x16float(b)), sub_f, sub);
}
// On the bits, no built-in: exponent rebias by an add, subnormals as (2^-14 + m 2^-24) - 2^-14.
fn u_magic(a: u32, b: u32) -> vec4<f32> {
  let o = vec4<u32>(a << 13u, a >> 3u, b << 13u, b >> 3u) & vec4<u32>(0x0fffe000u);
  let s = vec4<u32>(a << 16u, a, b << 16u, b) & vec4<u32>(0x80000000u);
  let e = o & vec4<u32>(0x0f800000u);
  let zero = e == vec4<u32>(0u);
  let adj = select(select(vec4<u32>(0x38000000u), vec4<u32>(0x70000000u), e == vec4<u32>(0x0f800000u)), vec4<u32>(0x38800000u), zero);
  let f = bitcast<vec4<f32>>(o + adj) - select(vec4<f32>(0.0), vec4<f32>(6.103515625e-05), zero);
  return bitcast<vec4<f32>>(bitcast<vec4<u32>>(f) | s);
}
// u_magic with the left shifts as multiplications.
fn u_magic_mul(a: u32, b: u32) -> vec4<f32> {
  let o = vec4<u32>(a * 8192u, a >> 3u, b * 8192u, b >> 3u) & vec4<u32>(0x0fffe000u);
  let s = vec4<u32>(a * 65536u, a, b * 65536u, b) & vec4<u32>(0x80000000u);
  let e = o & vec4<u32>(0x0f800000u);
  let zero = e == vec4<u32>(0u);
  let adj = select(select(vec4<u32>(0x38000000u), vec4<u32>(0x70000000u), e == vec4<u32>(0x0f800000u)), vec4<u32>(0x38800000u), zero);
  let f = bitcast<vec4<f32>>(o + adj) - select(vec4<f32>(0.0), vec4<f32>(6.103515625e-05), zero);
  return bitcast<vec4<f32>>(bitcast<vec4<u32>>(f) | s);
}
// p_lo with the low halves' shift done by the FPU: pre's 15 significant bits to f32, times 2^-13, back.
fn p_noshift(v: vec4<f32>) -> vec2<u32> {
  let b = bitcast<vec4<u32>>(v);
  let a = b & vec4<u32>(0x7fffffffu);
  let r = a - vec4<u32>(0x38000000u);
  let pre = (r + select(vec4<u32>(0xfffu), vec4<u32>(0x1000u), (r & vec4<u32>(0x2000u)) != vec4<u32>(0u))) & vec4<u32>(0x0fffe000u);
  let sub = bitcast<vec4<u32>>(bitcast<vec4<f32>>(a) + vec4<f32>(0.5)) - vec4<u32>(0x3f000000u);
  let small = a < vec4<u32>(0x38800000u);
  let inf = a >= vec4<u32>(0x477ff000u);
  let nan = a > vec4<u32>(0x7f800000u);
  let neg = a != b;
  let lo_n = vec2<u32>(vec2<i32>(vec2<f32>(vec2<i32>(vec2<u32>(pre.x, pre.z))) * 1.220703125e-4));
  let lo = select(select(select(lo_n, vec2<u32>(sub.x, sub.z), small.xz), vec2<u32>(0x7c00u), inf.xz), vec2<u32>(0x7e00u), nan.xz)
    | select(vec2<u32>(0u), vec2<u32>(0x8000u), neg.xz);
  let hi = select(select(select(vec2<u32>(pre.y, pre.w) * 8u, vec2<u32>(sub.y, sub.w) * 65536u, small.yw), vec2<u32>(0x7c000000u), inf.yw), vec2<u32>(0x7e000000u), nan.yw)
    | select(vec2<u32>(0u), vec2<u32>(0x80000000u), neg.yw);
  return lo | hi;
}
// The library's pack with the high halves kept in the shifted domain: shifts for the low halves only.
fn p_lo(v: vec4<f32>) -> vec2<u32> {
  let b = bitcast<vec4<u32>>(v);
  let a = b & vec4<u32>(0x7fffffffu);
  let r = a - vec4<u32>(0x38000000u);
  let pre = r + select(vec4<u32>(0xfffu), vec4<u32>(0x1000u), (r & vec4<u32>(0x2000u)) != vec4<u32>(0u));
  let sub = bitcast<vec4<u32>>(bitcast<vec4<f32>>(a) + vec4<f32>(0.5)) - vec4<u32>(0x3f000000u);
  let small = a < vec4<u32>(0x38800000u);
  let inf = a >= vec4<u32>(0x477ff000u);
  let nan = a > vec4<u32>(0x7f800000u);
  let neg = a != b;
  let lo = select(select(select(vec2<u32>(pre.x, pre.z) >> vec2<u32>(13u), vec2<u32>(sub.x, sub.z), small.xz), vec2<u32>(0x7c00u), inf.xz), vec2<u32>(0x7e00u), nan.xz)
    | select(vec2<u32>(0u), vec2<u32>(0x8000u), neg.xz);
  let hi = select(select(select(vec2<u32>(pre.y, pre.w) * 8u, vec2<u32>(sub.y, sub.w) * 65536u, small.yw), vec2<u32>(0x7c000000u), inf.yw), vec2<u32>(0x7e000000u), nan.yw)
    | select(vec2<u32>(0u), vec2<u32>(0x80000000u), neg.yw);
  return lo | (hi & vec2<u32>(0xffff0000u));
}
`;

function kernel(unpack, pack) {
  return /* wgsl */ `${F16}${candidates}
override WG: u32 = 64u;
override ITEMS: u32 = 256u;
@group(0) @binding(0) var<storage, read> src: array<vec2<u32>>;
@group(0) @binding(1) var<storage, read_write> dst: array<vec2<u32>>;
@compute @workgroup_size(WG) fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let start = gid.x * ITEMS;
  for (var k = 0u; k < ITEMS; k++) {
    let w = src[start + k];
    let a = w.x;
    let b = w.y;
    let v = fma(${unpack}, vec4<f32>(1.5), vec4<f32>(0.25));
    dst[start + k] = ${pack};
  }
}`;
}

const floor = /* wgsl */ `
override WG: u32 = 64u;
override ITEMS: u32 = 256u;
override TWO: bool = false;
@group(0) @binding(0) var<storage, read> src: array<vec2<u32>>;
@group(0) @binding(1) var<storage, read_write> dst: array<vec2<u32>>;
@compute @workgroup_size(WG) fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let start = gid.x * ITEMS;
  var s = vec2<u32>(0u);
  if (TWO) { for (var k = 0u; k < ITEMS; k++) { s ^= src[start + k]; } }
  for (var k = 0u; k < ITEMS; k++) { dst[start + k] = src[start + k] ^ s; }
}`;

/** The f16 experiment's kernel list (binds the packed buffers xh, yh). */
export function defineF16Kernels(add, addLib, { rows, cols }) {
  const groups = Math.ceil((rows * cols) / 4 / 256 / 64);
  const io = ['xh', 'yh'];
  add('floor: copy (1 read, 1 write)', floor, {}, groups, io);
  add('floor: span (2 reads, 1 write)', floor, { TWO: 1 }, groups, io);
  add('convert: builtins (not exact everywhere)', kernel(unpacks.builtin, packs.builtin), {}, groups, io);
  add('convert: previous library forms', kernel(unpacks.previous, packs.previous), {}, groups, io);
  add('convert: library (unpack4_fast, pack4_fast)', kernel(unpacks.lib, packs.lib), {}, groups, io);
  for (const u of ['previous', 'signed', 'magic', 'magicMul', 'builtin']) add(`convert: unpack ${u}, pack library`, kernel(unpacks[u], packs.lib), {}, groups, io);
  for (const p of ['previous', 'loShifts', 'noShift', 'builtin']) add(`convert: unpack library, pack ${p}`, kernel(unpacks.lib, packs[p]), {}, groups, io);
  addLib('lib LayerNorm f16 (wg16/t1/packed/x4)', { workgroupSize: 16, threadsPerRow: 1, reduction: 'workgroup', vec4: false, cachedChunks: 0, rowsPerInvocation: 4 });
}
