/**
 * Cache-set experiments (run.mjs set `skew`). Where a row is a multiple of 4 KiB long, the rows that
 * one SIMD step of the x4 layout touches (lanes × 4 rows) all start at the same offset modulo
 * 4 KiB, so they compete for one L1 set. Each kernel rotates where it starts along its rows and
 * wraps round, by ROT chunks per row (row r from chunk r · ROT mod C4: gamma/beta then differ per
 * row and are loaded four times) or per invocation (all four rows from the same chunk, one
 * gamma/beta load): the rows of one step then fall on different sets. The same kernel with ROT = 0
 * is the baseline. Stripped down like kernels.mjs: pivot-shifted sums, no tail, no exact pass.
 * Results: docs/cpu-adapter-experiments.md, "Cache sets". The library kernel does it per
 * invocation (ROTATE_CHUNKS in shaders/row-norm/row_norm_multi.wgsl).
 */
import { head as common, lines, lanes } from './kernels.mjs';

const head = /* wgsl */ `${common}
override ROT: u32 = 4u;
@group(0) @binding(0) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> y: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> gamma: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> beta: array<vec4<f32>>;
`;

/** K rows per invocation; `wrap`: 'select' (c + r, minus C4 past the end) or 'mask' (C4 a power of two). */
/**
 * `part` strips the rotated kernel down, to split its time: 'all' (the whole LayerNorm), 'pass1'
 * (the statistics only; each row's two sums are stored in its first chunk), 'nogb' (no gamma/beta
 * in the output), 'copy' (the x4 layout's two reads and one write with no arithmetic: pass 1 only
 * sums x, the output is x minus that sum).
 */
function skewed(K, wrap, rms = false, perInvocation = false, part = 'all') {
  const output = (i, k) => {
    const xk = `x[b${i} + ${k}]`;
    if (part === 'copy') return `${xk} - vec4<f32>(m${i})`;
    if (rms) return `${xk} * rs${i} * gamma[${k}]`;
    if (part === 'nogb') return `((${xk} - p${i}) - m${i}) * rs${i}`;
    return `fma(((${xk} - p${i}) - m${i}) * rs${i}, gamma[${k}], beta[${k}])`;
  };
  const idx = (i, c) => (wrap === 'mask' ? `((${c} + r${i}) & (C4 - 1u))` : `w(${c} + r${i})`);
  const code = `${head}
fn w(c: u32) -> u32 { return select(c, c - C4, c >= C4); }
@compute @workgroup_size(WG) fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let first = gid.x * ${K}u;
  if (first >= ROWS) { return; }
  ${lines(K, (i) => `let b${i} = (first + ${i}u) * C4; let r${i} = ((${perInvocation ? 'gid.x' : `first + ${i}u`}) * ROT) % C4; let p${i} = ${rms ? '0.0' : `x[b${i}].x`}; var s${i} = vec2<f32>(0.0, 1.0);`)}
  for (var c0 = 0u; c0 < C4; c0 += 32u) {
    ${lines(K, (i) => `var a${i} = vec4<f32>(0.0); var q${i} = vec4<f32>(0.0);`)}
    let end = min(c0 + 32u, C4);
    for (var c = c0; c < end; c++) {
      ${lines(K, (i) => (part === 'copy' ? `a${i} += x[b${i} + ${idx(i, 'c')}];` : `let d${i} = x[b${i} + ${idx(i, 'c')}] - p${i}; a${i} += d${i}; q${i} = fma(d${i}, d${i}, q${i});`))}
    }
    ${lines(K, (i) => `s${i} += vec2<f32>(hsum(a${i}), hsum(q${i}));`)}
  }
  let n = f32(C4 * 4u);
  ${lines(K, (i) => `let m${i} = s${i}.x / n; let rs${i} = rstd_of(s${i}.y - n * m${i} * m${i}, n);`)}
  ${part === 'pass1' ? lines(K, (i) => `y[b${i}] = vec4<f32>(m${i}, rs${i}, 0.0, 0.0);`) : ''}
  for (var co = 0u; co < ${part === 'pass1' ? '0u' : 'C4'}; co++) {
    ${lines(K, (i) => `let k${i} = ${idx(i, 'co')}; y[b${i} + k${i}] = ${output(i, `k${i}`)};`)}
  }
}`;
  return code;
}

/** The floors, the library's x4 kernel, and the stripped x4 and one-row kernels unrotated, per row and per invocation. */
export function defineSkewKernels(add, addLib, { rows, cols }, floorKernel) {
  const C4 = cols / 4;
  const v = (rows * cols) / 4;
  const floorGroups = Math.ceil(v / 256 / 64);
  add('floor: span (2 reads, 1 write)', floorKernel, { MODE: 0 }, floorGroups, ['x', 'y']);
  add('floor: lanes of a subgroup', floorKernel, { MODE: 10, LANES: 8 }, floorGroups, ['x', 'y']);
  addLib('lib x4 LayerNorm', { workgroupSize: 16, threadsPerRow: 1, reduction: 'workgroup', vec4: true, cachedChunks: 0, rowsPerInvocation: 4 });
  const binds = ['x', 'y', 'gamma', 'beta'];
  const groups = Math.ceil(rows / 4 / 16);
  const pow2 = (C4 & (C4 - 1)) === 0;
  const wrap = pow2 ? 'mask' : 'select';
  add(`x4, rotate 0 (${wrap})`, skewed(4, wrap), { C4, ROWS: rows, ROT: 0 }, groups, binds);
  add(`x4, rotate 4 chunks per row (${wrap})`, skewed(4, wrap), { C4, ROWS: rows, ROT: 4 }, groups, binds);
  add(`x4, rotate 4 chunks per invocation (${wrap})`, skewed(4, wrap, false, true), { C4, ROWS: rows, ROT: 4 }, groups, binds);
  add(`x4, rotate 16 chunks per invocation (${wrap})`, skewed(4, wrap, false, true), { C4, ROWS: rows, ROT: 16 }, groups, binds);
  for (const part of ['pass1', 'nogb', 'copy']) {
    add(`x4, rotate 4 chunks per invocation, ${part}`, skewed(4, wrap, false, true, part), { C4, ROWS: rows, ROT: 4 }, groups, part === 'pass1' ? binds : ['x', 'y']);
  }
  // The lanes layout needs no rotation (a step reads 8 neighbouring chunks of K rows): its own
  // floor beside the x4 layout's, and the whole LayerNorm in it.
  for (const K of [1, 2, 4]) {
    for (const copy of [true, false]) {
      const { code, binds: b } = lanes(K, copy);
      add(`lanes of 8, ${K} row${K > 1 ? 's' : ''} per lane group${copy ? ', copy' : ''}`, code, { WG: 64, LANES: 8, C4, ROWS: rows }, Math.ceil((rows * 8) / K / 64), b);
    }
  }
  const groups1 = Math.ceil(rows / 16);
  add(`x1, rotate 0 (${wrap})`, skewed(1, wrap), { C4, ROWS: rows, ROT: 0 }, groups1, binds);
  add(`x1, rotate 4 chunks per invocation (${wrap})`, skewed(1, wrap, false, true), { C4, ROWS: rows, ROT: 4 }, groups1, binds);
}
