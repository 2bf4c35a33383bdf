/**
 * Two-dispatch LayerNorm experiments (run.mjs, set `split`): the statistics in the x4 layout into a
 * per-row scratch buffer, then the output in a column layout where each invocation owns one vec4
 * chunk of the row for a block of rows. γ and β are then loaded once per invocation and held in
 * registers, and only one row's statistics are live at a time, instead of four rows' statistics
 * plus γ/β per chunk in the x4 output loop (the register pressure measured in
 * docs/cpu-adapter-experiments.md). Both dispatches are timed together, in one pass.
 */

const lines = (k, f) => Array.from({ length: k }, (_, i) => f(i)).join('\n  ');

/** Pass 1 in the x4 layout: (pivot, mean correction, rstd) of K rows per invocation into `st`. */
function stats(K, rms) {
  return /* wgsl */ `
override WG: u32 = 16u;
override C4: u32 = 256u;
override ROWS: u32 = 4096u;
fn hsum(v: vec4<f32>) -> f32 { return (v.x + v.y) + (v.z + v.w); }
@group(0) @binding(0) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> st: array<vec4<f32>>;
@compute @workgroup_size(WG) fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let first = gid.x * ${K}u;
  if (first >= ROWS) { return; }
  ${lines(K, (i) => `let b${i} = (first + ${i}u) * C4; let p${i} = ${rms ? '0.0' : `x[b${i}].x`}; var s${i} = vec2<f32>(0.0);`)}
  for (var c0 = 0u; c0 < C4; c0 += 32u) {
    ${lines(K, (i) => `var a${i} = vec4<f32>(0.0); var q${i} = vec4<f32>(0.0);`)}
    let end = min(c0 + 32u, C4);
    for (var c = c0; c < end; c++) {
      ${lines(K, (i) => (rms ? `let d${i} = x[b${i} + c]; q${i} = fma(d${i}, d${i}, q${i});` : `let d${i} = x[b${i} + c] - p${i}; a${i} += d${i}; q${i} = fma(d${i}, d${i}, q${i});`))}
    }
    ${lines(K, (i) => `s${i} += vec2<f32>(hsum(a${i}), hsum(q${i}));`)}
  }
  let n = f32(C4 * 4u);
  ${lines(K, (i) => `let m${i} = s${i}.x / n; st[first + ${i}u] = vec4<f32>(p${i}, m${i}, inverseSqrt(max((s${i}.y - n * m${i} * m${i}) / n, 0.0) + 1e-5), 0.0);`)}
}`;
}

/**
 * Pass 2 in the column layout: invocation (gid.x) owns chunk gid.x of rows [gid.y * RB, + RB),
 * U rows per loop step. `affine`: 'gb' γ and β held; 'g' γ only (RMSNorm); 'none'.
 */
function apply(U, affine) {
  const g = affine !== 'none';
  const b = affine === 'gb';
  return /* wgsl */ `
override WG: u32 = 64u;
override C4: u32 = 256u;
override ROWS: u32 = 4096u;
override RB: u32 = 32u;
@group(0) @binding(0) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> y: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> st: array<vec4<f32>>;
${g ? '@group(0) @binding(3) var<storage, read> gamma: array<vec4<f32>>;' : ''}
${b ? '@group(0) @binding(4) var<storage, read> beta: array<vec4<f32>>;' : ''}
@compute @workgroup_size(WG) fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let co = gid.x;
  if (co >= C4) { return; }
  let gg = ${g ? 'gamma[co]' : 'vec4<f32>(1.0)'};
  let bb = ${b ? 'beta[co]' : 'vec4<f32>(0.0)'};
  let r0 = gid.y * RB;
  let r1 = min(r0 + RB, ROWS);
  for (var r = r0; r < r1; r += ${U}u) {
    ${lines(U, (i) => `let s${i} = st[r + ${i}u]; let i${i} = (r + ${i}u) * C4 + co;`)}
    ${lines(U, (i) => `y[i${i}] = fma(((x[i${i}] - s${i}.x) - s${i}.y) * s${i}.z, gg, bb);`)}
  }
}`;
}

/** The split set: floors and the library's x4 first, then the two-dispatch forms. */
export function defineSplitKernels(add, addLib, addStages, { rows, cols, subgroup }, floorKernel) {
  const C4 = cols / 4;
  const v = (rows * cols) / 4;
  const floorGroups = Math.ceil(v / 256 / 64);
  add('floor: span (2 reads, 1 write)', floorKernel, { MODE: 0 }, floorGroups, ['x', 'y']);
  add(`floor: lanes of ${subgroup}`, floorKernel, { MODE: 10, LANES: subgroup }, floorGroups, ['x', 'y']);
  addLib('lib x4 LayerNorm', { workgroupSize: 16, threadsPerRow: 1, reduction: 'workgroup', vec4: true, cachedChunks: 0, rowsPerInvocation: 4 });
  const statsStage = (rms) => ({ code: stats(4, rms), constants: { WG: 16, C4, ROWS: rows }, groups: [Math.ceil(rows / 4 / 16)], uses: ['x', 'st'] });
  const applyStage = (U, affine, RB, WG) => ({ code: apply(U, affine), constants: { WG, C4, ROWS: rows, RB }, groups: [Math.ceil(C4 / WG), Math.ceil(rows / RB)], uses: ['x', 'y', 'st', ...(affine !== 'none' ? ['gamma'] : []), ...(affine === 'gb' ? ['beta'] : [])] });
  addStages('split: stats only (x4 layout)', [statsStage(false)]);
  for (const [U, RB, WG] of [[1, 32, 64], [2, 32, 64], [4, 32, 64], [2, 64, 64], [2, 16, 64], [2, 32, 32]]) {
    addStages(`split: apply only, U${U} RB${RB} WG${WG}`, [applyStage(U, 'gb', RB, WG)]);
    addStages(`split LayerNorm, U${U} RB${RB} WG${WG}`, [statsStage(false), applyStage(U, 'gb', RB, WG)]);
  }
  addStages('split LayerNorm, no gamma/beta, U2 RB32 WG64', [statsStage(false), applyStage(2, 'none', 32, 64)]);
  addLib('lib x4 RMSNorm', { workgroupSize: 16, threadsPerRow: 1, reduction: 'workgroup', vec4: true, cachedChunks: 0, rowsPerInvocation: 4 }, 'rms');
  addStages('split RMSNorm, U2 RB32 WG64', [statsStage(true), applyStage(2, 'g', 32, 64)]);
}
