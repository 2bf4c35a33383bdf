/**
 * Row-norm ops (LayerNorm, RMSNorm, fused add + either): the typed-array form, the encode form and
 * the CPU reference accept and refuse the same options with the same code and argument
 * (runner: test/core/parity.ts).
 */
import { OPS, opsOf } from '../../src/ops/table.js';
import { like, OMIT, P, parityTests, refuse, row, type ParityRow } from '../core/parity.js';

const bad = (argument: string) => refuse('invalid-argument', argument);

function rows(): ParityRow[] {
  const out: ParityRow[] = [];
  for (const op of opsOf('row-norm')) {
    const rms = OPS[op].statistic === 'mean-square';
    const add = OPS[op].fusedAdd;
    const r = (name: string, change: Record<string, unknown>, expect: ReturnType<typeof bad> | 'accept', drift?: string) => out.push(row(op, name, change, expect, drift));
    // Dimensions.
    for (const [name, cols] of [['0', 0], ['NaN', NaN], ['2.5', 2.5], ['-3', -3], ['Infinity', Infinity], ['missing', OMIT]] as const) r(`cols ${name}`, { cols }, bad('cols'));
    // Storage dtype.
    r("dtype 'bf16'", { dtype: 'bf16' }, bad('dtype'));
    // Epsilon and its convention.
    for (const [name, epsilon] of [['-1', -1], ['NaN', NaN], ['Infinity', Infinity], ["'1e-5'", '1e-5']] as const) r(`epsilon ${name}`, { epsilon }, bad('epsilon'));
    r('epsilon 0', { epsilon: 0 }, 'accept');
    // Not an f32 (the GPU computes in f32): ±Inf there, or flushed to 0.
    r('epsilon 1e39', { epsilon: 1e39 }, bad('epsilon'));
    r('epsilon 1e-45', { epsilon: 1e-45 }, bad('epsilon'));
    r('epsilon 2^-126 (the smallest normal f32)', { epsilon: 2 ** -126 }, 'accept');
    r("epsilonMode 'inside_sqrt' (typo)", { epsilonMode: 'inside_sqrt' }, bad('epsilonMode'));
    r("unbiased 'yes'", { unbiased: 'yes' }, bad('unbiased'));
    // Options of the other statistic.
    if (rms) {
      r("epsilonMode 'add-to-std'", { epsilonMode: 'add-to-std' }, bad('epsilonMode'));
      r('unbiased true', { unbiased: true }, bad('unbiased'));
      r('unbiased false and epsilonMode inside-sqrt (the defaults, stated)', { unbiased: false, epsilonMode: 'inside-sqrt' }, 'accept');
      r('beta', { beta: P }, bad('beta'));
      r('gammaOffset 1 without gamma', { gammaOffset: 1 }, bad('gammaOffset'));
      r('gammaOffset NaN', { gamma: P, gammaOffset: NaN }, bad('gammaOffset'));
      r('gammaOffset 3.5e38 (±Inf as an f32)', { gamma: P, gammaOffset: 3.5e38 }, bad('gammaOffset'));
      r('gammaOffset -1e-45 (flushed to 0 as an f32)', { gamma: P, gammaOffset: -1e-45 }, bad('gammaOffset'));
      r('gammaOffset -1 (negative offsets are allowed)', { gamma: P, gammaOffset: -1 }, 'accept');
      r('gammaOffset 0 without gamma (no offset)', { gammaOffset: 0 }, 'accept');
    } else {
      r('gammaOffset 0 (an RMSNorm option)', { gamma: P, gammaOffset: 0 }, bad('gammaOffset'));
      r('gammaOffset 1 (an RMSNorm option)', { gamma: P, gammaOffset: 1 }, bad('gammaOffset'));
    }
    if (!add) r('bias (a fused-add option)', { bias: P }, bad('bias'));
    // The dtype y is written in.
    r("outputDtype 'bf16'", { outputDtype: 'bf16' }, bad('outputDtype'));
    r('outputDtype 16', { outputDtype: 16 }, bad('outputDtype'));
    r("outputDtype 'f16' from f32", { outputDtype: 'f16' }, 'accept');
    r("outputDtype 'f32' from f16", { dtype: 'f16', outputDtype: 'f32' }, 'accept');
    r("outputDtype 'f32' from f32 (the default, stated)", { outputDtype: 'f32' }, 'accept');
    // The residual's rows (the fixture has 2 rows).
    if (add) {
      for (const [name, residualRows] of [['0', 0], ['1.5', 1.5], ["'2'", '2'], ['NaN', NaN]] as const) r(`residualRows ${name}`, { residualRows }, bad('residualRows'));
      r('residualRows 3 (does not divide rows 2)', { residualRows: 3 }, refuse('shape-mismatch', 'residualRows'));
      r('residualRows 2 (= rows, the default, stated)', { residualRows: 2 }, 'accept');
      r('sum left out (the encode form writes none; the others return it)', { sum: OMIT }, 'accept');
    } else {
      r('residualRows (a fused-add option)', { residualRows: 2 }, bad('residualRows'));
    }
    // Misspelled keys: never silently ignored.
    r("misspelled 'eps'", { eps: 1e-3 }, bad('eps'));
    r("misspelled 'epsilonmode'", { epsilonmode: 'inside-sqrt' }, bad('epsilonmode'));
    r("misspelled 'gama'", { gama: like('gamma') }, bad('gama'));
    r("misspelled 'Cols' beside cols", { Cols: 4 }, bad('Cols'));
    // Accepted: the bare call, and every valid option together, f32 and f16.
    r('only the required options', {}, 'accept');
    const all = rms
      ? { gamma: P, epsilon: 1e-3, epsilonMode: 'inside-sqrt', gammaOffset: 1, ...(add ? { bias: P } : {}) }
      : { gamma: P, beta: P, epsilon: 1e-3, epsilonMode: 'add-to-std', unbiased: true, ...(add ? { bias: P } : {}) };
    r('every option (f32)', { ...all, dtype: 'f32' }, 'accept');
    r('every option (f16)', { ...all, dtype: 'f16' }, 'accept');
  }
  return out;
}

parityTests(rows());
