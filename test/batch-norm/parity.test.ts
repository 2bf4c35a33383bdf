/**
 * BatchNorm (inference and statistics): the typed-array form, the encode form and the CPU
 * reference accept and refuse the same options with the same code and argument (runner:
 * test/core/parity.ts).
 */
import { like, OMIT, P, parityTests, refuse, row, type Outcome, type ParityRow } from '../core/parity.js';
import { opsOf } from '../../src/ops/table.js';

const bad = (argument: string) => refuse('invalid-argument', argument);
const DIMS = [['0', 0], ['NaN', NaN], ['2.5', 2.5], ['missing', OMIT]] as const;

function rows(): ParityRow[] {
  const out: ParityRow[] = [];
  for (const op of opsOf('batch-norm')) {
    const inference = op === 'batchNormInference';
    const training = op === 'batchNormTraining';
    const r = (name: string, change: Record<string, unknown>, expect: Outcome, drift?: string) => out.push(row(op, name, change, expect, drift));
    for (const dim of ['batch', 'channels', 'spatial'] as const) for (const [name, value] of DIMS) r(`${dim} ${name}`, { [dim]: value }, bad(dim));
    r("layout 'nchw'", { layout: 'nchw' }, bad('layout'));
    r('layout missing', { layout: OMIT }, bad('layout'));
    r("dtype 'bf16'", { dtype: 'bf16' }, bad('dtype'));
    r('groups (a GroupNorm option)', { groups: 2 }, bad('groups'));
    r('gammaOffset 0 (an RMSNorm option)', { gammaOffset: 0 }, bad('gammaOffset'));
    r("misspelled 'eps'", { eps: 1e-3 }, bad('eps'));
    r("misspelled 'epsilonmode'", { epsilonmode: 'add-to-std' }, bad('epsilonmode'));
    r('only the required options', {}, 'accept');
    if (inference || training) {
      for (const [name, epsilon] of [['-1', -1], ['NaN', NaN], ['Infinity', Infinity], ['1e39', 1e39], ['1e-45', 1e-45]] as const) r(`epsilon ${name}`, { epsilon }, bad('epsilon'));
      r("epsilonMode 'inside_sqrt' (typo)", { epsilonMode: 'inside_sqrt' }, bad('epsilonMode'));
      r('runningMean missing', { runningMean: OMIT }, bad('runningMean'));
      r('runningVar missing', { runningVar: OMIT }, bad('runningVar'));
      r(`unbiased (${training ? 'runningVarUnbiased decides the update' : 'a statistics option'})`, { unbiased: true }, bad('unbiased'));
      r("misspelled 'gama'", { gama: like('gamma') }, bad('gama'));
      r("misspelled 'runningvar' beside runningVar", { runningvar: like('runningVar') }, bad('runningvar'));
      const all = { gamma: P, beta: P, epsilon: 1e-3, epsilonMode: 'add-to-std' };
      r('every option (f32, NCHW)', { ...all, dtype: 'f32' }, 'accept');
      r('every option (f16, NHWC)', { ...all, dtype: 'f16', layout: 'NHWC' }, 'accept');
      if (inference) {
        r('momentum (a training option)', { momentum: 0.1 }, bad('momentum'));
        r('runningVarUnbiased (a training option)', { runningVarUnbiased: false }, bad('runningVarUnbiased'));
      }
    }
    if (training) {
      for (const [name, momentum] of [['-0.1', -0.1], ['1.5', 1.5], ['NaN', NaN], ['Infinity', Infinity], ["'0.1'", '0.1'], ['1e-40 (flushed to 0 as an f32)', 1e-40]] as const) {
        r(`momentum ${name}`, { momentum }, bad('momentum'));
      }
      for (const momentum of [0, 0.1, 1]) r(`momentum ${momentum}`, { momentum }, 'accept');
      r("runningVarUnbiased 'yes'", { runningVarUnbiased: 'yes' }, bad('runningVarUnbiased'));
      // One value per channel: N / (N − 1) is undefined (PyTorch raises); biased is well defined.
      r('batch·spatial = 1 with the unbiased update (default)', { batch: 1, spatial: 1 }, bad('runningVarUnbiased'));
      r('batch·spatial = 1 with runningVarUnbiased: true', { batch: 1, spatial: 1, runningVarUnbiased: true }, bad('runningVarUnbiased'));
      r('every training option (f32, NCHW)', { gamma: P, beta: P, momentum: 0.5, runningVarUnbiased: false, epsilon: 1e-3, dtype: 'f32' }, 'accept');
      r('every training option (f16, NHWC)', { gamma: P, beta: P, momentum: 1, runningVarUnbiased: true, epsilonMode: 'add-to-std', dtype: 'f16', layout: 'NHWC' }, 'accept');
      r("misspelled 'momentun'", { momentun: 0.1 }, bad('momentun'));
      r('rstd (not an output of batchNormTraining)', { rstd: 0 }, bad('rstd'));
    }
    if (!inference && !training) {
      r("unbiased 'yes'", { unbiased: 'yes' }, bad('unbiased'));
      r('epsilon (an inference option)', { epsilon: 1e-5 }, bad('epsilon'));
      r('momentum (a training option)', { momentum: 0.1 }, bad('momentum'));
      r("epsilonMode 'add-to-std' (an inference option)", { epsilonMode: 'add-to-std' }, bad('epsilonMode'));
      r('gamma (statistics take no parameters)', { gamma: P }, bad('gamma'));
      r("misspelled 'unbiassed'", { unbiassed: true }, bad('unbiassed'));
      r('every option (f32, NCHW)', { unbiased: true, dtype: 'f32' }, 'accept');
      r('every option (f16, NHWC)', { unbiased: true, dtype: 'f16', layout: 'NHWC' }, 'accept');
    }
  }
  return out;
}

parityTests(rows());
