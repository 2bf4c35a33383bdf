/**
 * "LayerNorm, step by step": an editable 4-dimensional token vector (and γ, β, ε), worked through
 * mean → variance → normalize → scale and shift, in float64 on the CPU (every intermediate shown)
 * next to what the GPU kernel returns (mean and rstd outputs, x̂ from a run without γ/β, y with
 * them). Recomputed on every edit.
 */
import type { Normalizer } from '../dist/index.js';
import { cpu } from '../dist/index.js';
import { el, fmt, results } from './dom.js';

const DEFAULTS = { x: [2, 4, 6, 8], gamma: [1, 1, 2, 2], beta: [0, 0, 0, 1], epsilon: 1e-5 };

/** The float64 walk-through of one row: every intermediate the panel shows. Pure. */
export function layerNormSteps(x: readonly number[], gamma: readonly number[], beta: readonly number[], epsilon: number) {
  const d = x.length;
  const mean = x.reduce((a, b) => a + b, 0) / d;
  const centered = x.map((v) => v - mean);
  const squares = centered.map((c) => c * c);
  const variance = squares.reduce((a, b) => a + b, 0) / d;
  const rstd = 1 / Math.sqrt(variance + epsilon);
  const xhat = centered.map((c) => c * rstd);
  const y = xhat.map((v, j) => gamma[j]! * v + beta[j]!);
  return { mean, centered, squares, variance, rstd, xhat, y };
}

export interface StepsPanel {
  /** Resolves when the first computation (CPU and, if available, GPU) is on screen. */
  readonly ready: Promise<void>;
}

/**
 * Builds the panel into `host`; `norm` is null when WebGPU is unavailable (GPU column shows "—").
 *
 * @example
 * ```ts
 * await mountLayerNormSteps(document.getElementById('steps')!, norm).ready;
 * ```
 */
export function mountLayerNormSteps(host: HTMLElement, norm: Normalizer | null): StepsPanel {
  const inputs = (label: string, values: number[], key: string) =>
    el(
      'div',
      { class: 'vec-row' },
      el('span', { class: 'vec-label' }, label),
      ...values.map((v, j) => el('input', { type: 'number', step: 'any', value: String(v), 'data-vec': key, 'data-j': String(j), 'aria-label': `${label} ${j}` })),
    );
  const eps = el('input', { type: 'number', step: 'any', value: String(DEFAULTS.epsilon), id: 'steps-eps', 'aria-label': 'epsilon' });
  const form = el(
    'div',
    { class: 'vec-form' },
    inputs('x', DEFAULTS.x, 'x'),
    inputs('γ (scale)', DEFAULTS.gamma, 'gamma'),
    inputs('β (shift)', DEFAULTS.beta, 'beta'),
    el('div', { class: 'vec-row' }, el('span', { class: 'vec-label' }, 'ε'), eps),
  );
  const table = el('table', { class: 'steps' });
  const verdict = el('p', { class: 'verdict', id: 'steps-verdict' });
  host.append(form, table, verdict);

  const read = (key: string) => [...host.querySelectorAll<HTMLInputElement>(`input[data-vec="${key}"]`)].map((i) => Number(i.value));

  let generation = 0;
  async function update(): Promise<void> {
    const g = ++generation;
    const x = read('x');
    const gamma = read('gamma');
    const beta = read('beta');
    const epsilon = Number(eps.value);
    if (![...x, ...gamma, ...beta, epsilon].every(Number.isFinite) || epsilon < 0) {
      verdict.textContent = 'Enter finite numbers (ε ≥ 0).';
      return;
    }
    const s = layerNormSteps(x, gamma, beta, epsilon);
    // The library's float64 reference must agree with the walk-through above (it is the same math).
    // #region library-code
    const ref = cpu.layerNormF64(new Float32Array(x), { cols: 4, gamma: new Float32Array(gamma), beta: new Float32Array(beta), epsilon });
    let gpu: { mean: number; variance: number; rstd: number; xhat: number[]; y: number[] } | null = null;
    if (norm) {
      const xa = new Float32Array(x);
      const [plain, full] = await Promise.all([
        norm.layerNorm(xa, { cols: 4, epsilon }),
        norm.layerNorm(xa, { cols: 4, epsilon, gamma: new Float32Array(gamma), beta: new Float32Array(beta) }),
      ]);
      const rstd = full.rstd[0]!;
      gpu = { mean: full.mean[0]!, rstd, variance: 1 / (rstd * rstd) - epsilon, xhat: [...plain.y], y: [...full.y] };
    }
    // #endregion
    if (g !== generation) return; // a newer edit is on its way
    results.steps = { x, gamma, beta, epsilon, cpu: s, gpu };
    const vec = (v: readonly number[] | undefined) => (v ? `(${v.map((n) => fmt(n)).join(', ')})` : '—');
    const rows: [string, string, string, string, string][] = [
      ['1. mean', 'μ = Σ xⱼ / 4', `(${x.map((n) => fmt(n)).join(' + ')}) / 4 = ${fmt(s.mean)}`, fmt(gpu?.mean), 'mean'],
      ['2. variance', 'σ² = Σ (xⱼ − μ)² / 4', `xⱼ − μ = ${vec(s.centered)}; squares ${vec(s.squares)}; σ² = ${fmt(s.variance)}`, fmt(gpu?.variance), 'variance'],
      ['', '1 / √(σ² + ε)', fmt(s.rstd), fmt(gpu?.rstd), 'rstd'],
      ['3. normalize', 'x̂ⱼ = (xⱼ − μ) / √(σ² + ε)', vec(s.xhat), vec(gpu?.xhat), 'xhat'],
      ['4. scale and shift', 'yⱼ = γⱼ · x̂ⱼ + βⱼ', vec(s.y), vec(gpu?.y), 'y'],
    ];
    table.replaceChildren(
      el('tr', {}, el('th', {}, 'step'), el('th', {}, 'formula'), el('th', {}, 'CPU, float64 (worked)'), el('th', {}, `GPU, f32 kernel${norm ? '' : ' (unavailable)'}`)),
      ...rows.map(([step, formula, c, gv, key]) => el('tr', {}, el('td', {}, step), el('td', { class: 'formula' }, formula), el('td', { 'data-k': `${key}-cpu` }, c), el('td', { 'data-k': `${key}-gpu` }, gv))),
    );
    const yRefErr = Math.max(...s.y.map((v, j) => Math.abs(v - ref.y[j]!)));
    if (gpu) {
      const err = Math.max(...s.y.map((v, j) => Math.abs(v - gpu!.y[j]!)), Math.abs(s.mean - gpu.mean));
      verdict.textContent = `max |GPU − CPU| = ${fmt(err, 2)} (f32 arithmetic against float64; the library's tolerance is 1e-5 relative). The walk-through agrees with cpu.layerNormF64 to ${fmt(yRefErr, 2)}.`;
    } else {
      verdict.textContent = `CPU only. The walk-through agrees with cpu.layerNormF64 to ${fmt(yRefErr, 2)}.`;
    }
    verdict.dataset.done = 'true';
  }
  form.addEventListener('input', () => void update().catch((e) => console.error(e)));
  return { ready: update() };
}
