/**
 * `--tune`: the selection rule's choice against `norm.tune()` at one case. On a GPU the rule's
 * branch is reasoned from how GPUs schedule work, not measured (docs/variants.md); this is how a
 * run on a lent or borrowed GPU (the real-GPU kit) says whether it holds there.
 */
import type { Normalizer, TuneResult } from '../../src/index.js';
import { tunableOps } from '../../src/ops/table.js';
import { MAX_TUNE_REPETITIONS } from '../../src/ops/row-norm/tune-policy.js';
import type { CaseSpec, NormLibrary, TuneComparison } from './types.js';

/**
 * Compares the rule's variant label (`describeVariant`, as the record's `variant`) with what
 * tune() measured. Pure.
 *
 * @example
 * ```ts
 * compareWithTune('wg16/t1/vec4/none/reg0/x4', await tuneNorm.tune('layerNorm', { rows: 4096, cols: 1024 }));
 * // { best: 'wg16/t1/vec4/none/reg0/x4', bestMs: 6.3, ruleMs: 6.3, ruleRatio: 1, ruleRank: 1, picked: '…/x4', pickedVsRule: 1, … }
 * ```
 */
export function compareWithTune(rule: string, result: Pick<TuneResult, 'candidates' | 'timer' | 'variant'>): TuneComparison {
  const sorted = [...result.candidates].sort((a, b) => a.ms - b.ms);
  const best = sorted[0];
  const worst = sorted.at(-1);
  if (!best || !worst) throw new Error('tune() returned no candidates');
  // tune() returns one of its candidates' variant objects as its choice.
  const picked = result.candidates.find((c) => c.variant === result.variant);
  if (!picked) throw new Error("tune()'s choice is not among its candidates");
  const at = sorted.findIndex((c) => c.label === rule);
  const ruleMs = at < 0 ? null : sorted[at]!.ms;
  return {
    best: best.label,
    bestMs: best.ms,
    ruleMs,
    ruleRatio: ruleMs === null ? null : ruleMs / best.ms,
    ruleRank: at < 0 ? null : at + 1,
    candidates: sorted.length,
    picked: picked.label,
    pickedVsRule: picked.vsRule,
    worst: worst.label,
    worstMs: worst.ms,
    timer: result.timer,
  };
}

/**
 * The normalizer `--tune` runs tune() on, made once per session on the bench's device: its own
 * tuning table (none to start with, nothing persisted), so a winner never changes the variant the
 * bench's normalizer picks for the timed measurements.
 *
 * @example
 * ```ts
 * const tuner = new TuneRunner(lib, device);
 * if (tuner.applies(spec)) record = { ...record, tune: await tuner.compare(spec, record.variant) };
 * tuner.destroy();
 * ```
 */
export class TuneRunner {
  readonly #lib: NormLibrary;
  readonly #device: GPUDevice;
  #norm: Normalizer | undefined;

  constructor(lib: NormLibrary, device: GPUDevice) {
    this.#lib = lib;
    this.#device = device;
  }

  /** Whether `--tune` applies to this case: asked for, and an op tune() serves. */
  applies(spec: CaseSpec): boolean {
    return spec.tune === true && (tunableOps() as string[]).includes(spec.op);
  }

  /** Times every candidate at the case's shape and dtype (`reps` rounds, within tune()'s 3–1000) and compares. */
  async compare(spec: CaseSpec, rule: string): Promise<TuneComparison> {
    // Cases run one at a time, so this is made once.
    this.#norm ??= await this.#lib.createNormalizer({ device: this.#device, tuning: false, persistTuning: false });
    const op = spec.op as Parameters<Normalizer['tune']>[0];
    const repetitions = Math.min(MAX_TUNE_REPETITIONS, Math.max(3, spec.reps));
    const result = await this.#norm.tune(op, { ...spec.shape, dtype: spec.dtype }, { repetitions });
    return compareWithTune(rule, result);
  }

  /** Frees its normalizer (the device is the session's). */
  destroy(): void {
    this.#norm?.destroy();
    this.#norm = undefined;
  }
}
