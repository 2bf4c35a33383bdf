/**
 * GroupNorm / InstanceNorm: the typed-array form, the encode form and the CPU reference accept and
 * refuse the same options with the same code and argument (runner: test/core/parity.ts).
 */
import { opsOf } from '../../src/ops/table.js';
import { like, OMIT, P, parityTests, refuse, row, type Outcome, type ParityRow } from '../core/parity.js';

const bad = (argument: string) => refuse('invalid-argument', argument);
const DIMS = [['0', 0], ['NaN', NaN], ['2.5', 2.5], ['missing', OMIT]] as const;

function rows(): ParityRow[] {
  const out: ParityRow[] = [];
  for (const op of opsOf('group-norm')) {
    const r = (name: string, change: Record<string, unknown>, expect: Outcome, drift?: string) => out.push(row(op, name, change, expect, drift));
    for (const dim of ['batch', 'channels', 'spatial'] as const) for (const [name, value] of DIMS) r(`${dim} ${name}`, { [dim]: value }, bad(dim));
    if (op === 'groupNorm') {
      for (const [name, value] of DIMS) r(`groups ${name}`, { groups: value }, bad('groups'));
      r('groups 3 (does not divide 4 channels)', { groups: 3 }, refuse('shape-mismatch', 'groups'));
      r('groups 8 (more than the channels)', { groups: 8 }, refuse('shape-mismatch', 'groups'));
    } else {
      r('groups (a GroupNorm option)', { groups: 2 }, bad('groups'));
    }
    r("layout 'nchw'", { layout: 'nchw' }, bad('layout'));
    r('layout missing', { layout: OMIT }, bad('layout'));
    r("dtype 'bf16'", { dtype: 'bf16' }, bad('dtype'));
    for (const [name, epsilon] of [['-1', -1], ['NaN', NaN], ['Infinity', Infinity], ['1e39', 1e39], ['1e-45', 1e-45]] as const) r(`epsilon ${name}`, { epsilon }, bad('epsilon'));
    r("epsilonMode 'inside_sqrt' (typo)", { epsilonMode: 'inside_sqrt' }, bad('epsilonMode'));
    r("unbiased 'yes'", { unbiased: 'yes' }, bad('unbiased'));
    r('gammaOffset 0 (an RMSNorm option)', { gamma: P, gammaOffset: 0 }, bad('gammaOffset'));
    r('gammaOffset 1 (an RMSNorm option)', { gamma: P, gammaOffset: 1 }, bad('gammaOffset'));
    r("misspelled 'eps'", { eps: 1e-3 }, bad('eps'));
    r("misspelled 'epsilonmode'", { epsilonmode: 'add-to-std' }, bad('epsilonmode'));
    r("misspelled 'gama'", { gama: like('gamma') }, bad('gama'));
    r('only the required options', {}, 'accept');
    const all = { gamma: P, beta: P, epsilon: 1e-3, epsilonMode: 'add-to-std', unbiased: true, activation: 'silu' };
    r('every option (f32, NCHW)', { ...all, dtype: 'f32' }, 'accept');
    r('every option (f16, NHWC)', { ...all, dtype: 'f16', layout: 'NHWC' }, 'accept');
    r('epsilon 0', { epsilon: 0 }, 'accept');
    r("activation 'silu'", { activation: 'silu' }, 'accept');
    r("activation 'none'", { activation: 'none' }, 'accept');
    r("activation 'silu' (f16, NHWC)", { activation: 'silu', dtype: 'f16', layout: 'NHWC' }, 'accept');
    r("activation 'swish'", { activation: 'swish' }, bad('activation'));
    r("activation 'relu'", { activation: 'relu' }, bad('activation'));
    r('activation true', { activation: true }, bad('activation'));
    r("misspelled 'activaton'", { activaton: 'silu' }, bad('activaton'));
  }
  return out;
}

parityTests(rows());
