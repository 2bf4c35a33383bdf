/**
 * The kernels of the CPU-adapter layout experiments (run.mjs). Each is a stripped-down LayerNorm
 * (or a two-read floor) written for the experiment: pivot-shifted sums, fixed epsilon, no tail, no
 * exact second pass. The K-rows kernels are generated per K because a loop over an array of per-row
 * state would put that state in memory on these adapters (the library writes its x4 kernel out by
 * hand for the same reason, shaders/row-norm/row_norm_multi.wgsl).
 */

export const floorKernel = /* wgsl */ `
override WG: u32 = 64u;
override ITEMS: u32 = 256u;
override LANES: u32 = 8u;
@group(0) @binding(0) var<storage, read> src: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> dst: array<vec4<f32>>;
fn first(g: u32) -> u32 { return select(g * ITEMS, (g / LANES) * LANES * ITEMS + g % LANES, MODE >= 10u); }
fn step() -> u32 { return select(1u, LANES, MODE >= 10u); }
// MODE % 10: 0 both passes, 1 pass 1 only, 2 pass 2 only; MODE >= 10: the lanes layout;
// MODE 3: pass 2 only in the x4 layout (four rows of ROWLEN vec4 per invocation, chunk by chunk).
override MODE: u32 = 0u;
override ROWLEN: u32 = 256u;
@compute @workgroup_size(WG) fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (MODE == 3u) {
    let b0 = gid.x * 4u * ROWLEN;
    let s = src[b0];
    for (var c = 0u; c < ROWLEN; c++) {
      for (var r = 0u; r < 4u; r++) { let i = b0 + r * ROWLEN + c; dst[i] = src[i] - s; }
    }
    return;
  }
  let start = first(gid.x);
  var s = vec4<f32>(0.0);
  if (MODE % 10u != 2u) {
    for (var k = 0u; k < ITEMS; k++) { s += src[start + k * step()]; }
  }
  if (MODE % 10u == 1u) { dst[start] = s; return; }
  if (MODE % 10u == 2u) { s = src[start]; }
  for (var k = 0u; k < ITEMS; k++) { let i = start + k * step(); dst[i] = src[i] - s; }
}`;

/** The stripped-down kernels' common header: their overrides and the two helpers. */
export const head = /* wgsl */ `
enable subgroups;
override WG: u32 = 16u;
override C4: u32 = 256u;
override ROWS: u32 = 4096u;
override LANES: u32 = 8u;
fn hsum(v: vec4<f32>) -> f32 { return (v.x + v.y) + (v.z + v.w); }
fn rstd_of(ss: f32, n: f32) -> f32 { return inverseSqrt(max(ss / n, 0.0) + 1e-5); }
`;

/** `f(0) … f(k - 1)`, one per line of generated WGSL. */
export const lines = (k, f) => Array.from({ length: k }, (_, i) => f(i)).join('\n  ');

/**
 * K rows per invocation (the library's x4 shape). `affine`: 'gb' (gamma, beta per chunk),
 * 'g', 'b', 'none', 'hoisted' (gamma[0], beta[0]: loop-invariant), 'interleaved' (one buffer of
 * gamma/beta pairs), 'workgroup' (staged in workgroup memory behind one barrier). `pass1`/`pass2`
 * drop a pass; `sweep` rows share pass 1's loop (K > sweep: several sweeps, one output loop).
 */
export function rowsPerInvocation(K, { affine = 'gb', pass1 = true, pass2 = true, sweep = 4, outSweep = K, fma = true, clamp = false, stats = 'registers', uniformChunks = 0 } = {}) {
  const F = fma ? (a, b, c) => `fma(${a}, ${b}, ${c})` : (a, b, c) => `(${a}) * (${b}) + (${c})`;
  const binds = ['x', 'y'];
  const decl = [
    '@group(0) @binding(0) var<storage, read> x: array<vec4<f32>>;',
    '@group(0) @binding(1) var<storage, read_write> y: array<vec4<f32>>;',
  ];
  const needsGamma = pass2 && affine !== 'none' && affine !== 'b';
  const needsBeta = pass2 && affine !== 'uniform' && (affine === 'gb' || affine === 'b' || affine === 'hoisted' || affine === 'workgroup' || affine === 'subgroup');
  if (affine === 'uniform') decl.push(`@group(0) @binding(${binds.push('gamma') - 1}) var<uniform> gbu: array<vec4<f32>, ${2 * uniformChunks}>;`);
  else if (needsGamma) decl.push(`@group(0) @binding(${binds.push('gamma') - 1}) var<storage, read> gamma: array<vec4<f32>>;`);
  if (needsBeta) decl.push(`@group(0) @binding(${binds.push('beta') - 1}) var<storage, read> beta: array<vec4<f32>>;`);
  const load = {
    gb: 'let gg = gamma[co]; let bb = beta[co];',
    g: 'let gg = gamma[co]; let bb = vec4<f32>(0.0);',
    b: 'let gg = vec4<f32>(1.0); let bb = beta[co];',
    none: 'let gg = vec4<f32>(1.0); let bb = vec4<f32>(0.0);',
    hoisted: 'let gg = gamma[0]; let bb = beta[0];',
    interleaved: 'let gg = gamma[2u * co]; let bb = gamma[2u * co + 1u];',
    uniform: 'let gg = gbu[2u * co]; let bb = gbu[2u * co + 1u];',
    workgroup: 'let gg = gs[co]; let bb = bs[co];',
    subgroup: 'let gg = subgroupShuffle(gl, co % SG); let bb = subgroupShuffle(bl, co % SG);',
  }[affine];
  // subgroup: each invocation loads chunk (co - co % SG) + its subgroup lane, once per SG chunks.
  const subgroupLoad = affine === 'subgroup' ? 'if (co % SG == 0u) { gl = gamma[co + sg_lane]; bl = beta[co + sg_lane]; }' : '';
  const staged = affine === 'workgroup';
  const sweeps = [];
  for (let s0 = 0; s0 < K; s0 += sweep) {
    const ids = Array.from({ length: Math.min(sweep, K - s0) }, (_, j) => s0 + j);
    sweeps.push(`for (var c0 = 0u; c0 < C4; c0 += 32u) {
    ${ids.map((i) => `var a${i} = vec4<f32>(0.0); var q${i} = vec4<f32>(0.0);`).join(' ')}
    let end = min(c0 + 32u, C4);
    for (var c = c0; c < end; c++) {
      ${ids.map((i) => `let d${i} = x[b${i} + c] - p${i}; a${i} += d${i}; q${i} = ${F(`d${i}`, `d${i}`, `q${i}`)};`).join('\n      ')}
    }
    ${ids.map((i) => `s${i} += vec2<f32>(hsum(a${i}), hsum(q${i}));`).join(' ')}
  }`);
  }
  // The normalized chunk of row i: three statistics per row (pivot, mean correction, rstd), as the
  // library does; 'center': two, x - (pivot + m) rounded once; 'fused': two, fma(x, r, -(p + m) r).
  const normalized = (i) => ({
    registers: `((x[b${i} + co] - p${i}) - m${i}) * r${i}`,
    function: `((x[b${i} + co] - st[0][${i}]) - st[1][${i}]) * st[2][${i}]`,
    private: `((x[b${i} + co] - st[0][${i}]) - st[1][${i}]) * st[2][${i}]`,
    center: `(x[b${i} + co] - c${i}) * r${i}`,
    fused: F(`x[b${i} + co]`, `vec4<f32>(r${i})`, `vec4<f32>(k${i})`),
  })[stats];
  const outputs = [];
  for (let s0 = 0; s0 < K; s0 += outSweep) {
    const ids = Array.from({ length: Math.min(outSweep, K - s0) }, (_, j) => s0 + j);
    outputs.push(`${affine === 'subgroup' ? 'var gl = vec4<f32>(0.0); var bl = vec4<f32>(0.0);' : ''}
  for (var co = 0u; co < C4; co++) {
    ${subgroupLoad}
    ${load}
    ${ids.map((i) => `y[b${i} + co] = ${F(normalized(i), 'gg', 'bb')};`).join('\n    ')}
  }`);
  }
  const code = `${head}
${decl.join('\n')}
${staged ? 'var<workgroup> gs: array<vec4<f32>, C4>;\nvar<workgroup> bs: array<vec4<f32>, C4>;' : ''}
${stats === 'private' ? 'var<private> st: array<vec4<f32>, 3>;' : ''}
override SG: u32 = 4u;
@compute @workgroup_size(WG) fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_index) lid: u32, @builtin(subgroup_invocation_id) sg_lane: u32) {
  ${staged ? 'for (var i = lid; i < C4; i += WG) { gs[i] = gamma[i]; bs[i] = beta[i]; }\n  workgroupBarrier();' : ''}
  ${clamp || affine === 'subgroup' ? `let first = min(gid.x * ${K}u, ROWS - ${K}u);` : `let first = gid.x * ${K}u;\n  if (first >= ROWS) { return; }`}
  ${lines(K, (i) => `let b${i} = (first + ${i}u) * C4; let p${i} = x[b${i}].x; var s${i} = vec2<f32>(0.0, 1.0);`)}
  ${pass1 ? sweeps.join('\n  ') : ''}
  let n = f32(C4 * 4u);
  ${lines(K, (i) => `let m${i} = s${i}.x / n; let r${i} = rstd_of(s${i}.y - n * m${i} * m${i}, n);`)}
  ${stats === 'center' ? lines(K, (i) => `let c${i} = p${i} + m${i};`) : ''}
  ${stats === 'fused' ? lines(K, (i) => `let k${i} = -(p${i} + m${i}) * r${i};`) : ''}
  ${stats !== 'function' && stats !== 'private' ? '' : `${stats === 'function' ? 'var ' : ''}st = array<vec4<f32>, 3>(${['p', 'm', 'r'].map((v) => `vec4<f32>(${Array.from({ length: K }, (_, i) => `${v}${i}`).join(', ')})`).join(', ')});`}
  ${pass2 ? outputs.join('\n  ') : lines(K, (i) => `y[b${i}] = vec4<f32>(m${i}, r${i}, 0.0, 0.0);`)}
}`;
  return { code, binds };
}

/**
 * LANES neighbouring invocations per group of K rows, chunks c = lane + k * LANES, reduced by
 * subgroupShuffleXor. `copy`: the same layout's two reads and one write with no arithmetic (pass 1
 * only sums x; the output is x minus that sum), the floor of this layout.
 */
export function lanes(K, copy = false) {
  const code = `${head}
@group(0) @binding(0) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> y: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> gamma: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> beta: array<vec4<f32>>;
fn reduce(v: vec2<f32>) -> vec2<f32> {
  var s = v;
  for (var o = 1u; o < LANES; o <<= 1u) { s += subgroupShuffleXor(s, o); }
  return s;
}
@compute @workgroup_size(WG) fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row = (gid.x / LANES) * ${K}u;
  let t = gid.x % LANES;
  ${lines(K, (i) => `let b${i} = (row + ${i}u) * C4; let p${i} = x[b${i}].x; var a${i} = vec4<f32>(0.0); var q${i} = vec4<f32>(0.0);`)}
  for (var c = t; c < C4; c += LANES) {
    ${lines(K, (i) => (copy ? `a${i} += x[b${i} + c];` : `let d${i} = x[b${i} + c] - p${i}; a${i} += d${i}; q${i} = fma(d${i}, d${i}, q${i});`))}
  }
  let n = f32(C4 * 4u);
  ${lines(K, (i) => `let s${i} = reduce(vec2<f32>(hsum(a${i}), hsum(q${i}))); let m${i} = s${i}.x / n; let r${i} = rstd_of(s${i}.y - n * m${i} * m${i}, n);`)}
  for (var c = t; c < C4; c += LANES) {
    ${copy ? lines(K, (i) => `y[b${i} + c] = x[b${i} + c] - vec4<f32>(m${i});`) : `let gg = gamma[c]; let bb = beta[c];
    ${lines(K, (i) => `y[b${i} + c] = fma(((x[b${i} + c] - p${i}) - m${i}) * r${i}, gg, bb);`)}`}
  }
}`;
  return { code, binds: copy ? ['x', 'y'] : ['x', 'y', 'gamma', 'beta'] };
}

/** The experiment's kernel list: the floors first (the span floor is the 1× of the table). */
export function defineKernels(add, addLib, { rows, cols, subgroup }) {
  const C4 = cols / 4;
  const v = (rows * cols) / 4;
  const floorGroups = Math.ceil(v / 256 / 64);
  add('floor: span (2 reads, 1 write)', floorKernel, { MODE: 0 }, floorGroups, ['x', 'y']);
  add(`floor: lanes of ${subgroup}`, floorKernel, { MODE: 10, LANES: subgroup }, floorGroups, ['x', 'y']);
  add('floor: span, pass 1 only (1 read)', floorKernel, { MODE: 1 }, floorGroups, ['x', 'y']);
  add('floor: span, pass 2 only (1 read, 1 write)', floorKernel, { MODE: 2 }, floorGroups, ['x', 'y']);
  add('floor: pass 2 only in the x4 layout', floorKernel, { MODE: 3, WG: 16, ROWLEN: C4 }, Math.ceil(rows / 4 / 16), ['x', 'y']);
  addLib('lib x4 (wg16/t1/vec4/none/reg0/x4)', { workgroupSize: 16, threadsPerRow: 1, reduction: 'workgroup', vec4: true, cachedChunks: 0, rowsPerInvocation: 4 });
  const k = (name, K, opts, wg = 16) => {
    const { code, binds } = rowsPerInvocation(K, opts);
    add(name, code, { WG: wg, C4, ROWS: rows, SG: subgroup }, Math.ceil(rows / K / wg), binds);
  };
  k('x4', 4, {});
  k('x4, pass 1 only', 4, { pass2: false });
  k('x4, pass 2 only', 4, { pass1: false });
  k('x4, pass 2 only, no gamma/beta', 4, { pass1: false, affine: 'none' });
  k('x4, no gamma/beta', 4, { affine: 'none' });
  k('x4, gamma only', 4, { affine: 'g' });
  k('x4, beta only', 4, { affine: 'b' });
  k('x4, gamma/beta loop-invariant', 4, { affine: 'hoisted' });
  k('x4, gamma/beta interleaved', 4, { affine: 'interleaved' });
  k('x4, gamma/beta in workgroup memory', 4, { affine: 'workgroup' });
  k('x4, gamma/beta by subgroupShuffle', 4, { affine: 'subgroup' });
  k('x4, a * b + c instead of fma', 4, { fma: false });
  k('x4, row index clamped, no early return', 4, { clamp: true });
  k('x4, output in two sweeps of two rows', 4, { outSweep: 2 });
  if (cols * 8 <= 65536) k('x4, gamma/beta interleaved in a uniform buffer', 4, { affine: 'uniform', uniformChunks: C4 });
  k('x4, statistics in a function-scope array', 4, { stats: 'function' });
  k('x4, statistics in a private array', 4, { stats: 'private' });
  k('x4, two statistics per row: x - center', 4, { stats: 'center' });
  k('x4, two statistics per row: fma(x, r, k)', 4, { stats: 'fused' });
  k('x2', 2, {});
  k('x8 (pass 1 in two sweeps of 4)', 8, {});
  for (const K of [1, 2, 4]) {
    const { code, binds } = lanes(K);
    add(`lanes of ${subgroup}, ${K} row${K > 1 ? 's' : ''} per lane group`, code, { WG: 64, LANES: subgroup, C4, ROWS: rows }, Math.ceil((rows * subgroup) / K / 64), binds);
  }
}
