/**
 * Lp normalization: the typed-array form, the encode form and the CPU reference accept and refuse
 * the same options with the same code and argument (runner: test/core/parity.ts).
 */
import { like, OMIT, parityTests, refuse, row, type ParityRow } from '../core/parity.js';

const bad = (argument: string) => refuse('invalid-argument', argument);

const ROWS: readonly ParityRow[] = [
  row('lpNorm', 'cols 0', { cols: 0 }, bad('cols')),
  row('lpNorm', 'cols NaN', { cols: NaN }, bad('cols')),
  row('lpNorm', 'cols 2.5', { cols: 2.5 }, bad('cols')),
  row('lpNorm', 'cols missing', { cols: OMIT }, bad('cols')),
  row('lpNorm', "dtype 'bf16'", { dtype: 'bf16' }, bad('dtype')),
  row('lpNorm', 'p 3', { p: 3 }, bad('p')),
  row('lpNorm', "p '2'", { p: '2' }, bad('p')),
  row('lpNorm', 'epsilon -1', { epsilon: -1 }, bad('epsilon')),
  row('lpNorm', 'epsilon NaN', { epsilon: NaN }, bad('epsilon')),
  row('lpNorm', 'epsilon 1e-45 (flushed to 0 as an f32)', { epsilon: 1e-45 }, bad('epsilon')),
  row('lpNorm', 'epsilon 1e39 (Infinity as an f32)', { epsilon: 1e39 }, bad('epsilon')),
  row('lpNorm', 'gamma (a key of the other norms)', { gamma: like('norm') }, bad('gamma')),
  row('lpNorm', "epsilonMode 'add-to-std'", { epsilonMode: 'add-to-std' }, bad('epsilonMode')),
  row('lpNorm', 'axis', { axis: -1 }, bad('axis')),
  row('lpNorm', "misspelled 'eps'", { eps: 1e-3 }, bad('eps')),
  row('lpNorm', "misspelled 'P'", { P: 1 }, bad('P')),
  row('lpNorm', 'only the required options', {}, 'accept'),
  row('lpNorm', 'every option (f32, p 1)', { p: 1, epsilon: 1e-6, dtype: 'f32' }, 'accept'),
  row('lpNorm', 'every option (f16, p 2)', { p: 2, epsilon: 0, dtype: 'f16' }, 'accept'),
];

parityTests(ROWS);

