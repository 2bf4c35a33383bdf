/**
 * Access-path experiments (run.mjs, set `atomic`): does the way a load is written change what the
 * driver emits for it? SwiftShader turns every plain storage load or store whose offset is not a
 * compile-time constant into a per-lane gather or scatter, a branch and a scalar access per lane and
 * component. Its atomic loads and stores instead check at run time whether the lanes' offsets are
 * equal (one load, broadcast) or consecutive words (one vector access). So a layout in which
 * neighbouring invocations touch neighbouring f32 words, read with `atomicLoad`, might cost a
 * quarter of the accesses. These kernels measure that against the plain floors.
 */

const floorAtomic = /* wgsl */ `
override WG: u32 = 64u;
override ITEMS: u32 = 1024u;
override LANES: u32 = 4u;
// MODE 0: atomic loads and stores; 1: atomic loads, plain stores; 2: plain scalar loads and stores.
override MODE: u32 = 0u;
@group(0) @binding(0) var<storage, read_write> src: array<atomic<u32>>;
@group(0) @binding(1) var<storage, read_write> dst: array<atomic<u32>>;
@group(0) @binding(2) var<storage, read_write> plain: array<f32>;
fn ld(i: u32) -> f32 {
  if (MODE == 2u) { return plain[i]; }
  return bitcast<f32>(atomicLoad(&src[i]));
}
@compute @workgroup_size(WG) fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let start = (gid.x / LANES) * LANES * ITEMS + gid.x % LANES;
  var s = 0.0;
  for (var k = 0u; k < ITEMS; k++) { s += ld(start + k * LANES); }
  for (var k = 0u; k < ITEMS; k++) {
    let i = start + k * LANES;
    let v = ld(i) - s;
    if (MODE == 0u) { atomicStore(&dst[i], bitcast<u32>(v)); } else { plain[i + 1u] = v; }
  }
}`;

const lines = (k, f) => Array.from({ length: k }, (_, i) => f(i)).join('\n  ');

/**
 * LANES neighbouring invocations per group of K rows, scalar columns c = lane + k * LANES, every
 * access atomic (so consecutive lanes hit consecutive words), sums by subgroupAdd.
 */
function lanesAtomic(K) {
  const code = /* wgsl */ `
enable subgroups;
override WG: u32 = 64u;
override C: u32 = 1024u;
override LANES: u32 = 4u;
@group(0) @binding(0) var<storage, read_write> x: array<atomic<u32>>;
@group(0) @binding(1) var<storage, read_write> y: array<atomic<u32>>;
@group(0) @binding(2) var<storage, read_write> gamma: array<atomic<u32>>;
@group(0) @binding(3) var<storage, read_write> beta: array<atomic<u32>>;
fn rstd_of(ss: f32, n: f32) -> f32 { return inverseSqrt(max(ss / n, 0.0) + 1e-5); }
@compute @workgroup_size(WG) fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row = (gid.x / LANES) * ${K}u;
  let t = gid.x % LANES;
  ${lines(K, (i) => `let b${i} = (row + ${i}u) * C; let p${i} = bitcast<f32>(atomicLoad(&x[b${i}])); var a${i} = 0.0; var q${i} = 0.0;`)}
  for (var c = t; c < C; c += LANES) {
    ${lines(K, (i) => `let d${i} = bitcast<f32>(atomicLoad(&x[b${i} + c])) - p${i}; a${i} += d${i}; q${i} = fma(d${i}, d${i}, q${i});`)}
  }
  let n = f32(C);
  ${lines(K, (i) => `let m${i} = subgroupAdd(a${i}) / n; let r${i} = rstd_of(subgroupAdd(q${i}) - n * m${i} * m${i}, n);`)}
  for (var c = t; c < C; c += LANES) {
    let gg = bitcast<f32>(atomicLoad(&gamma[c])); let bb = bitcast<f32>(atomicLoad(&beta[c]));
    ${lines(K, (i) => `atomicStore(&y[b${i} + c], bitcast<u32>(fma(((bitcast<f32>(atomicLoad(&x[b${i} + c])) - p${i}) - m${i}) * r${i}, gg, bb)));`)}
  }
}`;
  return { code, binds: ['x', 'y', 'gamma', 'beta'] };
}

/** The library's x4 shape with gamma/beta read by atomicLoad: every lane reads the same word. */
function x4AtomicAffine() {
  const code = /* wgsl */ `
override WG: u32 = 16u;
override C4: u32 = 256u;
override ROWS: u32 = 4096u;
@group(0) @binding(0) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> y: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> gamma: array<atomic<u32>>;
@group(0) @binding(3) var<storage, read_write> beta: array<atomic<u32>>;
fn hsum(v: vec4<f32>) -> f32 { return (v.x + v.y) + (v.z + v.w); }
fn rstd_of(ss: f32, n: f32) -> f32 { return inverseSqrt(max(ss / n, 0.0) + 1e-5); }
fn ld4(a: ptr<storage, array<atomic<u32>>, read_write>, c: u32) -> vec4<f32> {
  return vec4<f32>(bitcast<f32>(atomicLoad(&(*a)[4u * c])), bitcast<f32>(atomicLoad(&(*a)[4u * c + 1u])),
                   bitcast<f32>(atomicLoad(&(*a)[4u * c + 2u])), bitcast<f32>(atomicLoad(&(*a)[4u * c + 3u])));
}
@compute @workgroup_size(WG) fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let first = gid.x * 4u;
  if (first >= ROWS) { return; }
  ${lines(4, (i) => `let b${i} = (first + ${i}u) * C4; let p${i} = x[b${i}].x; var s${i} = vec2<f32>(0.0);`)}
  for (var c0 = 0u; c0 < C4; c0 += 32u) {
    ${lines(4, (i) => `var a${i} = vec4<f32>(0.0); var q${i} = vec4<f32>(0.0);`)}
    for (var c = c0; c < min(c0 + 32u, C4); c++) {
      ${lines(4, (i) => `let d${i} = x[b${i} + c] - p${i}; a${i} += d${i}; q${i} = fma(d${i}, d${i}, q${i});`)}
    }
    ${lines(4, (i) => `s${i} += vec2<f32>(hsum(a${i}), hsum(q${i}));`)}
  }
  let n = f32(C4 * 4u);
  ${lines(4, (i) => `let m${i} = s${i}.x / n; let r${i} = rstd_of(s${i}.y - n * m${i} * m${i}, n);`)}
  for (var co = 0u; co < C4; co++) {
    let gg = ld4(&gamma, co); let bb = ld4(&beta, co);
    ${lines(4, (i) => `y[b${i} + co] = fma(((x[b${i} + co] - p${i}) - m${i}) * r${i}, gg, bb);`)}
  }
}`;
  return { code, binds: ['x', 'y', 'gamma', 'beta'] };
}

/** The `atomic` set: plain floors first (the span floor is the 1×), then the atomic kernels. */
export function defineAtomicKernels(add, addLib, { rows, cols, subgroup }, floor) {
  const C4 = cols / 4;
  const v = (rows * cols) / 4;
  const floorGroups = Math.ceil(v / 256 / 64);
  add('floor: span (2 reads, 1 write)', floor, { MODE: 0 }, floorGroups, ['x', 'y']);
  add(`floor: lanes of ${subgroup}`, floor, { MODE: 10, LANES: subgroup }, floorGroups, ['x', 'y']);
  const scalarGroups = Math.ceil((rows * cols) / 1024 / 64);
  add(`floor: scalar lanes of ${subgroup}, atomic`, floorAtomic, { MODE: 0, LANES: subgroup }, scalarGroups, ['x', 'y', 'scratch']);
  add(`floor: scalar lanes, atomic loads only`, floorAtomic, { MODE: 1, LANES: subgroup }, scalarGroups, ['x', 'y', 'scratch']);
  add(`floor: scalar lanes, plain`, floorAtomic, { MODE: 2, LANES: subgroup }, scalarGroups, ['x', 'y', 'scratch']);
  addLib('lib x4 (wg16/t1/vec4/none/reg0/x4)', { workgroupSize: 16, threadsPerRow: 1, reduction: 'workgroup', vec4: true, cachedChunks: 0, rowsPerInvocation: 4 });
  const x4a = x4AtomicAffine();
  add('x4, gamma/beta by atomicLoad', x4a.code, { WG: 16, C4, ROWS: rows }, Math.ceil(rows / 4 / 16), x4a.binds);
  for (const K of [1, 2, 4]) {
    const { code, binds } = lanesAtomic(K);
    add(`scalar lanes of ${subgroup}, atomic, ${K} row(s)`, code, { WG: 64, LANES: subgroup, C: cols }, Math.ceil((rows * subgroup) / K / 64), binds);
  }
}
