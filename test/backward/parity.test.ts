/**
 * LayerNorm / RMSNorm backward: the typed-array form, the encode form and the CPU reference accept
 * and refuse the same options with the same code and argument (runner: test/core/parity.ts).
 */
import { OPS, opsOf } from '../../src/ops/table.js';
import { like, OMIT, P, parityTests, refuse, row, type Outcome, type ParityRow } from '../core/parity.js';

const bad = (argument: string) => refuse('invalid-argument', argument);

function rows(): ParityRow[] {
  const out: ParityRow[] = [];
  for (const op of opsOf('backward')) {
    const rms = OPS[op].gradientOf === 'rmsNorm';
    const r = (name: string, change: Record<string, unknown>, expect: Outcome, drift?: string) => out.push(row(op, name, change, expect, drift));
    for (const [name, cols] of [['0', 0], ['NaN', NaN], ['2.5', 2.5], ['missing', OMIT]] as const) r(`cols ${name}`, { cols }, bad('cols'));
    r("dtype 'bf16'", { dtype: 'bf16' }, bad('dtype'));
    r('rstd missing', { rstd: OMIT }, bad('rstd'));
    if (rms) {
      r('mean (RMSNorm has none)', { mean: P }, bad('mean'));
      r('gammaOffset 1 without gamma', { gammaOffset: 1 }, bad('gammaOffset'));
      r('gammaOffset NaN', { gamma: P, gammaOffset: NaN }, bad('gammaOffset'));
      r('gammaOffset 3.5e38 (±Inf as an f32)', { gamma: P, gammaOffset: 3.5e38 }, bad('gammaOffset'));
      r('gammaOffset 1e-45 (flushed to 0 as an f32)', { gamma: P, gammaOffset: 1e-45 }, bad('gammaOffset'));
    } else {
      r('mean missing', { mean: OMIT }, bad('mean'));
      r('gammaOffset 0 (an RMSNorm option)', { gamma: P, gammaOffset: 0 }, bad('gammaOffset'));
      r('gammaOffset 1 (an RMSNorm option)', { gamma: P, gammaOffset: 1 }, bad('gammaOffset'));
    }
    // Forward options that the backward pass does not take (it is given the forward's statistics).
    r('epsilon', { epsilon: 1e-5 }, bad('epsilon'));
    r("epsilonMode 'add-to-std'", { epsilonMode: 'add-to-std' }, bad('epsilonMode'));
    r("unbiased 'yes'", { unbiased: 'yes' }, bad('unbiased'));
    r('beta', { beta: P }, bad('beta'));
    r("misspelled 'eps'", { eps: 1e-3 }, bad('eps'));
    r("misspelled 'gama'", { gama: like('gamma') }, bad('gama'));
    r("misspelled 'rstds'", { rstds: like('rstd') }, bad('rstds'));
    r('only the required options', {}, 'accept');
    const all = { gamma: P, dsum: P, ...(rms ? { gammaOffset: 1 } : {}) };
    r('every option (f32)', { ...all, dtype: 'f32' }, 'accept');
    r('every option (f16)', { ...all, dtype: 'f16' }, 'accept');
  }
  return out;
}

parityTests(rows());
