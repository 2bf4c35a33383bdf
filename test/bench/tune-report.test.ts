/**
 * `--tune`: the comparison of the rule's variant with tune()'s candidates, and how the terminal
 * and the markdown page show it (made-up records; the session's own run is in
 * test/node/bench-tune.test.ts).
 */
import { describe, expect, test } from 'vitest';
import { compareWithTune, TuneRunner } from '../../bench/core/tune-comparison.js';
import { buildJsonReport, type RunMeta } from '../../bench/report/json-report.js';
import { renderMarkdownReport } from '../../bench/report/markdown-report.js';
import { tuneLines, tuneMarkdown, tuneSummary } from '../../bench/report/tune-report.js';
import type { CaseRecord, TuneComparison } from '../../bench/core/types.js';
import { environment, record } from './fixtures.js';

const candidate = (label: string, ms: number, vsRule = 1) => ({ variant: { reduction: 'workgroup' as const, vec4: true, workgroupSize: 16, threadsPerRow: 1, cachedChunks: 0 }, label, ms, vsRule });
/** What tune() returns: its candidates, and as its choice the variant object of one of them. */
const result = (timer: 'timestamp-query' | 'wall', candidates: ReturnType<typeof candidate>[], picked = 0) => ({ timer, candidates, variant: candidates[picked]?.variant ?? candidate('none', 0).variant });

describe('compareWithTune', () => {
  test('the rule picked the fastest: ratio 1, rank 1, whatever order the candidates come in', () => {
    const c = compareWithTune('b', result('timestamp-query', [candidate('a', 2, 2), candidate('b', 1), candidate('c', 5, 5)], 1));
    expect(c).toEqual({ best: 'b', bestMs: 1, ruleMs: 1, ruleRatio: 1, ruleRank: 1, candidates: 3, picked: 'b', pickedVsRule: 1, worst: 'c', worstMs: 5, timer: 'timestamp-query' });
  });

  test('the rule third of four: its time over the fastest, and what tune() keeps', () => {
    const c = compareWithTune('c', result('wall', [candidate('a', 2, 0.7), candidate('b', 1, 0.33), candidate('c', 3), candidate('d', 4, 1.3)], 1));
    expect(c.best).toBe('b');
    expect(c.ruleMs).toBe(3);
    expect(c.ruleRatio).toBe(3);
    expect(c.ruleRank).toBe(3);
    expect(c.timer).toBe('wall');
    expect(c.picked).toBe('b');
    expect(c.pickedVsRule).toBe(0.33);
  });

  test('a rule that is not a candidate is reported as such, not as a match', () => {
    const c = compareWithTune('x', result('timestamp-query', [candidate('a', 2), candidate('b', 1)]));
    expect(c).toMatchObject({ best: 'b', ruleMs: null, ruleRatio: null, ruleRank: null, candidates: 2, picked: 'a' });
  });

  test('no candidates, or a choice that is not one of them, is an error, never a silent match', () => {
    expect(() => compareWithTune('a', result('timestamp-query', []))).toThrow(/no candidates/);
    expect(() => compareWithTune('a', { ...result('timestamp-query', [candidate('a', 1)]), variant: candidate('a', 1).variant })).toThrow(/not among its candidates/);
  });
});

describe('TuneRunner', () => {
  /** A library whose createNormalizer hands out recording fakes. */
  function fakeLib() {
    const made: { options: unknown; tuned: unknown[][]; destroyed: number }[] = [];
    const lib = {
      createNormalizer: async (options: unknown) => {
        const n = { options, tuned: [] as unknown[][], destroyed: 0 };
        made.push(n);
        return {
          tune: async (...args: unknown[]) => {
            n.tuned.push(args);
            return { ...result('timestamp-query', [candidate('rule', 2), candidate('other', 1, 0.5)], 1), ms: 1 };
          },
          destroy: () => void n.destroyed++,
        };
      },
    };
    return { lib: lib as never, made };
  }
  const device = {} as GPUDevice;
  const spec = { op: 'rmsNorm', shape: { rows: 64, cols: 256 }, dtype: 'f16' as const, reps: 7, warmup: 1, tune: true };

  test('tunes on one normalizer of its own (no tuning table, nothing persisted), made once, with the case\'s shape, dtype and reps', async () => {
    const { lib, made } = fakeLib();
    const runner = new TuneRunner(lib, device);
    const c = await runner.compare(spec, 'rule');
    await runner.compare({ ...spec, op: 'layerNorm', dtype: 'f32', reps: 1 }, 'rule');
    expect(made).toHaveLength(1);
    expect(made[0]!.options).toEqual({ device, tuning: false, persistTuning: false });
    expect(made[0]!.tuned).toEqual([
      ['rmsNorm', { rows: 64, cols: 256, dtype: 'f16' }, { repetitions: 7 }],
      ['layerNorm', { rows: 64, cols: 256, dtype: 'f32' }, { repetitions: 3 }],
    ]);
    expect(c).toMatchObject({ best: 'other', ruleRatio: 2, ruleRank: 2 });
    runner.destroy();
    expect(made[0]!.destroyed).toBe(1);
  });

  test('applies to the ops tune() serves, and only when asked', () => {
    const runner = new TuneRunner(fakeLib().lib, device);
    expect(runner.applies(spec)).toBe(true);
    expect(runner.applies({ ...spec, op: 'addLayerNorm' })).toBe(true);
    expect(runner.applies({ ...spec, tune: false })).toBe(false);
    const { tune: _, ...untuned } = spec;
    expect(runner.applies(untuned)).toBe(false);
    for (const op of ['groupNorm', 'layerNormBackward', 'lpNorm', 'batchNormInference']) expect(runner.applies({ ...spec, op })).toBe(false);
  });
});

const tune = (overrides: Partial<TuneComparison>): TuneComparison => ({
  best: 'wg16/t1/vec4/none/reg0/x4',
  bestMs: 1,
  ruleMs: 1,
  ruleRatio: 1,
  ruleRank: 1,
  candidates: 21,
  picked: 'wg16/t1/vec4/none/reg0/x4',
  pickedVsRule: 1,
  worst: 'wg256/t256/vec4/workgroup/reg0',
  worstMs: 40,
  timer: 'timestamp-query',
  ...overrides,
});

const records: CaseRecord[] = [
  record({ op: 'layerNorm', rows: 4096, cols: 1024, variant: 'wg16/t1/vec4/none/reg0/x4', tune: tune({}) }),
  record({ op: 'rmsNorm', rows: 128, cols: 768, variant: 'wg4/t1/vec4/none/reg0/x4', tune: tune({ best: 'wg16/t1/vec4/none/reg0/x2', bestMs: 0.2, ruleMs: 0.21, ruleRatio: 1.05, ruleRank: 2, picked: 'wg4/t1/vec4/none/reg0/x4' }) }),
  record({ op: 'rmsNorm', rows: 2048, cols: 768, dtype: 'f16', variant: 'wg16/t1/scalar/none/reg0/x4', tune: tune({ best: 'wg256/t1/scalar/none/reg0', bestMs: 2, ruleMs: 3.2, ruleRatio: 1.6, ruleRank: 4, picked: 'wg256/t1/scalar/none/reg0', pickedVsRule: 0.64 }) }),
  record({ op: 'layerNorm', rows: 1, cols: 768, variant: 'wg8/t8/vec4/subgroup/reg0', tune: tune({ ruleMs: null, ruleRatio: null, ruleRank: null, picked: 'wg8/t8/vec4/subgroup/reg0' }) }),
  record({ op: 'groupNorm', rows: 320, cols: 4096, variant: 'fused, 8 wg' }),
];

describe('the reports', () => {
  test('the summary counts exact picks and near ones, names the worst case and the rule missing from the candidates', () => {
    expect(tuneSummary(records)).toEqual([
      'The rule picked the fastest candidate in 1 of 4 cases, and was within 1.10× of it in 2; its worst: rmsNorm f16 2048×768 at 1.60× (`wg16/t1/scalar/none/reg0/x4` against `wg256/t1/scalar/none/reg0`); in 1 the rule\'s variant was not among tune()\'s candidates; tune() would keep the rule\'s variant in 3 of 4 (it replaces it only with a candidate faster by more than 3 % round for round).',
    ]);
  });

  test('no compared record, no section and no lines', () => {
    const plain = [record({}), record({ op: 'groupNorm' })];
    expect(tuneSummary(plain)).toEqual([]);
    expect(tuneMarkdown(plain)).toEqual([]);
    expect(tuneLines(plain)).toEqual([]);
  });

  test('the markdown table has a row per compared record (GroupNorm, which tune() does not serve, has none)', () => {
    const md = tuneMarkdown(records);
    expect(md[0]).toBe('## The selection rule against `tune()`');
    const rows = md.filter((l) => l.startsWith('| ') && !l.startsWith('| op') && !l.startsWith('| ---'));
    expect(rows).toHaveLength(4);
    expect(rows[2]).toBe('| rmsNorm | f16 | 2048×768 | `wg16/t1/scalar/none/reg0/x4` | 3.20 | 4 of 21 | `wg256/t1/scalar/none/reg0` | 2.00 | 1.60× | 21 | 40.0 | `wg256/t1/scalar/none/reg0` (0.64×) |');
    expect(rows[1]).toMatch(/\| the rule's \|$/);
    expect(rows[3]).toContain('| – | not a candidate |');
    expect(md.join('\n')).not.toContain('groupNorm');
  });

  test('the terminal lines: the summary, then one line per compared case', () => {
    const lines = tuneLines(records);
    expect(lines[0]).toBe('the selection rule against tune():');
    expect(lines).toHaveLength(2 + 4);
    expect(lines[4]).toBe('  rmsNorm f16 2048×768: rule wg16/t1/scalar/none/reg0/x4 1.60× the fastest (rank 4 of 21); fastest wg256/t1/scalar/none/reg0 2.00 ms; tune() picks wg256/t1/scalar/none/reg0 (0.64× the rule round for round)');
    expect(lines[3]).toMatch(/; tune\(\) keeps the rule's$/);
  });

  test('the performance page carries the section after the per-op summary only when the run compared', () => {
    const meta: RunMeta = { date: '2026-12-07T08:00:00.000Z', argv: ['--tune'], loadAverage: { start: 1, end: 1 }, cpus: 2, elapsedSeconds: 10, notes: [], scope: 'full' };
    const page = (rs: CaseRecord[]) => renderMarkdownReport(buildJsonReport(environment, rs, meta), { docs: '' });
    const withTune = page(records);
    expect(withTune.indexOf('## The selection rule against `tune()`')).toBeGreaterThan(withTune.indexOf('## Per op'));
    expect(withTune.indexOf('## The selection rule against `tune()`')).toBeLessThan(withTune.indexOf('## Columns'));
    expect(page([record({})])).not.toContain('## The selection rule against');
  });
});
