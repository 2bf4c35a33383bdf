import { describe, expect, test } from 'vitest';
import { asPartial, defaultOutput, F16_DEFAULT_SHAPES, parseBenchArgs, parseShape, runStamp, UsageError } from '../../bench/args.js';
import { DEFAULT_SHAPES, planCases } from '../../bench/cases.js';

const OPS = ['layerNorm', 'rmsNorm'];
const STARTED = new Date('2026-12-06T13:05:12.345Z');
const parse = (...argv: string[]) => parseBenchArgs(argv, OPS, STARTED);

describe('parseShape', () => {
  test.each([
    ['128x768', 128, 768],
    ['1×4096', 1, 4096],
    ['4096*1024', 4096, 1024],
    [' 2 X 3 ', 2, 3],
  ])('%s', (text, rows, cols) => expect(parseShape(text)).toEqual({ rows, cols }));

  test.each(['128', 'x768', '128x', '0x768', '128x0', '-1x4', '1.5x4', '128x768x2', ''])('rejects %j', (text) => {
    expect(() => parseShape(text)).toThrow(UsageError);
  });
});

describe('parseBenchArgs', () => {
  test('defaults', () => {
    expect(parse()).toEqual({
      shapes: null,
      // The default ops that the registry knows (this test's registry has no groupNorm).
      ops: ['layerNorm', 'rmsNorm'],
      dtypes: [
        { dtype: 'f32', ops: null },
        { dtype: 'f16', ops: ['layerNorm', 'rmsNorm'], shapes: F16_DEFAULT_SHAPES },
      ],
      wide: false,
      tune: false,
      reps: 30,
      warmup: 3,
      runtime: 'chromium',
      scope: 'full',
      json: { path: 'bench-results/chromium.json', explicit: false },
      chart: { path: 'docs/performance.svg', explicit: false },
      markdown: { path: 'docs/performance.md', explicit: false },
      help: false,
      warnings: [],
    });
  });

  test('the README command', () => {
    const a = parse('--shapes', '128x768,1x4096', '--ops', 'layerNorm', '--reps', '30', '--json', 'out.json', '--chart', 'out.svg', '--runtime', 'node');
    expect(a.shapes).toEqual([
      { rows: 128, cols: 768 },
      { rows: 1, cols: 4096 },
    ]);
    expect(a.ops).toEqual(['layerNorm']);
    expect(a.reps).toBe(30);
    expect(a.runtime).toBe('node');
    expect(a.json).toEqual({ path: 'out.json', explicit: true });
    expect(a.chart).toEqual({ path: 'out.svg', explicit: true });
  });

  test('--tune adds the rule-against-tune() comparison and leaves the run full (it changes no other figure)', () => {
    const a = parse('--tune');
    expect(a.tune).toBe(true);
    expect(a.scope).toBe('full');
    expect(parse('--tune', '--ops', 'layerNorm').scope).toBe('partial');
    expect(() => parse('--tune=yes')).toThrow(UsageError);
  });

  test('--opt=value form, default outputs follow the runtime', () => {
    const a = parse('--reps=25', '--runtime=node');
    expect(a.reps).toBe(25);
    expect(a.scope).toBe('full');
    expect(a.json).toEqual({ path: 'bench-results/node.json', explicit: false });
    // Only the Chromium run is published in docs/.
    expect(a.chart).toEqual({ path: 'bench-results/node.svg', explicit: false });
    expect(a.markdown).toEqual({ path: 'bench-results/node.md', explicit: false });
  });

  test.each([
    [['--shapes', '1x768']],
    [['--ops', 'layerNorm']],
    [['--ops', 'layerNorm,rmsNorm']],
    [['--reps', '5']],
    [['--runtime', 'node', '--shapes', '1x768']],
    [['--dtype', 'f16']],
  ])('a subset run (%j) is partial and never writes the published report or chart', (argv) => {
    const a = parse(...argv);
    expect(a.scope).toBe('partial');
    for (const file of [a.json, a.chart, a.markdown]) {
      expect(file!.explicit).toBe(false);
      expect(file!.path).toMatch(/^bench-results\/(chromium|node)-partial-20261206-130512\.(json|svg|md)$/);
    }
  });

  test('two partial runs started at different times never share an output file', () => {
    const a = parseBenchArgs(['--shapes', '1x768'], OPS, new Date('2026-12-06T13:05:12Z'));
    const b = parseBenchArgs(['--shapes', '1x768'], OPS, new Date('2026-12-06T13:05:13Z'));
    expect(a.chart!.path).not.toBe(b.chart!.path);
    expect(runStamp(new Date('2026-01-02T03:04:05Z'))).toBe('20260102-030405');
  });

  test('--dtype: f32 and/or f16 for every op, in that order; bad names refused', () => {
    expect(parse('--dtype', 'f16,f32').dtypes).toEqual([
      { dtype: 'f32', ops: null },
      { dtype: 'f16', ops: null },
    ]);
    expect(parse('--dtype', 'F16').dtypes).toEqual([{ dtype: 'f16', ops: null }]);
    expect(() => parse('--dtype', 'bf16')).toThrow(/--dtype expects f32 and\/or f16/);
    expect(() => parse('--dtype', ',')).toThrow(/--dtype is empty/);
  });

  test('without --dtype, f16 only for the default f16 ops the run has', () => {
    expect(parseBenchArgs(['--ops', 'groupNorm'], ['groupNorm', 'layerNorm'], STARTED).dtypes).toEqual([{ dtype: 'f32', ops: null }]);
    expect(parseBenchArgs(['--ops', 'groupNorm,rmsNorm'], ['groupNorm', 'rmsNorm'], STARTED).dtypes).toEqual([
      { dtype: 'f32', ops: null },
      { dtype: 'f16', ops: ['rmsNorm'], shapes: F16_DEFAULT_SHAPES },
    ]);
  });

  test('--wide', () => {
    expect(parse('--wide').wide).toBe(true);
    expect(parse('--wide').scope).toBe('full');
  });

  test('a subset run writes where it is told, docs/ included', () => {
    const a = parse('--ops', 'layerNorm', '--markdown', 'docs/performance.md', '--no-chart');
    expect(a.markdown).toEqual({ path: 'docs/performance.md', explicit: true });
    expect(a.chart).toBeNull();
  });

  test('a full run that failed part-way moves its default outputs to the partial paths, keeps explicit ones', () => {
    const a = asPartial(parse('--json', 'mine.json'), STARTED);
    expect(a.scope).toBe('partial');
    expect(a.json).toEqual({ path: 'mine.json', explicit: true });
    expect(a.chart).toEqual({ path: 'bench-results/chromium-partial-20261206-130512.svg', explicit: false });
    expect(a.markdown).toEqual({ path: 'bench-results/chromium-partial-20261206-130512.md', explicit: false });
    expect(asPartial(parse('--no-markdown'), STARTED).markdown).toBeNull();
  });

  test('defaultOutput', () => {
    expect(defaultOutput('json', 'chromium', 'full', 'x')).toEqual({ path: 'bench-results/chromium.json', explicit: false });
    expect(defaultOutput('markdown', 'node', 'partial', '20261206-130512')).toEqual({ path: 'bench-results/node-partial-20261206-130512.md', explicit: false });
  });

  test('ops: case-insensitive, registry spelling kept, duplicates dropped', () => {
    expect(parse('--ops', 'layernorm, RMSNORM,layerNorm').ops).toEqual(['layerNorm', 'rmsNorm']);
  });

  test('duplicate shapes are dropped, order kept', () => {
    expect(parse('--shapes', '1x768,2x4,1×768').shapes).toEqual([
      { rows: 1, cols: 768 },
      { rows: 2, cols: 4 },
    ]);
  });

  test('--no-json, --no-chart and --no-markdown', () => {
    const a = parse('--no-json', '--no-chart', '--no-markdown');
    expect(a.json).toBeNull();
    expect(a.chart).toBeNull();
    expect(a.markdown).toBeNull();
  });

  test('few reps are allowed with a warning', () => {
    const a = parse('--reps', '5');
    expect(a.reps).toBe(5);
    expect(a.warnings.join()).toMatch(/below 20/);
  });

  test('-h', () => expect(parse('-h').help).toBe(true));

  test.each([
    [['--ops', 'groupNorm'], /unknown op "groupNorm"; known ops: layerNorm, rmsNorm/],
    [['--ops', ','], /--ops is empty/],
    [['--shapes', ''], /--shapes is empty/],
    [['--shapes', '12'], /bad shape "12"/],
    [['--reps', '0'], /--reps expects an integer >= 1/],
    [['--reps', '2.5'], /--reps expects an integer/],
    [['--reps', 'many'], /--reps expects an integer/],
    [['--warmup=-1'], /--warmup expects an integer >= 0/],
    [['--runtime', 'deno'], /--runtime expects chromium or node/],
    [['--json', 'a.json', '--no-json'], /contradict/],
    [['--markdown', 'a.md', '--no-markdown'], /contradict/],
    [['--json', ''], /--json expects a file name/],
    [['--frobnicate'], /Unknown option/],
    [['stray'], /positional/],
  ])('rejects %j', (argv, message) => {
    expect(() => parse(...argv)).toThrow(UsageError);
    expect(() => parse(...argv)).toThrow(message);
  });
});

describe('planCases', () => {
  const ops = new Map([
    ['layerNorm', {}],
    ['groupNorm', { defaultShapes: [{ rows: 32, cols: 4096 }] }],
  ]);

  test('default shapes, op by op; an op may bring its own', () => {
    const cases = planCases({ ops: ['layerNorm', 'groupNorm'], shapes: null, reps: 20, warmup: 1, dtypes: [{ dtype: 'f32', ops: null }] }, ops);
    expect(cases.map((c) => `${c.op} ${c.shape.rows}x${c.shape.cols}`)).toEqual([
      ...DEFAULT_SHAPES.map((s) => `layerNorm ${s.rows}x${s.cols}`),
      'groupNorm 32x4096',
    ]);
    expect(cases.every((c) => c.reps === 20 && c.warmup === 1)).toBe(true);
  });

  test('--shapes applies to every op', () => {
    const cases = planCases({ ops: ['layerNorm', 'groupNorm'], shapes: [{ rows: 1, cols: 8 }], reps: 20, warmup: 0, dtypes: [{ dtype: 'f32', ops: null }] }, ops);
    expect(cases.map((c) => c.op)).toEqual(['layerNorm', 'groupNorm']);
  });

  test('--tune marks every case (the session compares only the ops tune() serves); without it no case carries the key', () => {
    const base = { ops: ['layerNorm', 'groupNorm'], shapes: [{ rows: 1, cols: 8 }], reps: 20, warmup: 0, dtypes: [{ dtype: 'f32' as const, ops: null }] };
    expect(planCases({ ...base, tune: true }, ops).map((c) => c.tune)).toEqual([true, true]);
    expect(planCases(base, ops).every((c) => !('tune' in c))).toBe(true);
    expect(planCases({ ...base, tune: false }, ops).every((c) => !('tune' in c))).toBe(true);
  });

  test('dtype by dtype, f32 first; a dtype limited to some ops runs only those', () => {
    const dtypes = [
      { dtype: 'f32' as const, ops: null },
      { dtype: 'f16' as const, ops: ['layerNorm'] },
    ];
    const cases = planCases({ ops: ['layerNorm', 'groupNorm'], shapes: [{ rows: 1, cols: 8 }], reps: 20, warmup: 0, dtypes }, ops);
    expect(cases.map((c) => `${c.dtype} ${c.op}`)).toEqual(['f32 layerNorm', 'f32 groupNorm', 'f16 layerNorm']);
  });

  test('a shape an op cannot take is refused before anything runs, naming each op and shape', () => {
    const checked = new Map<string, { defaultShapes?: { rows: number; cols: number }[]; shapeError?: (s: { rows: number; cols: number }) => string | undefined }>([
      ['layerNorm', {}],
      ['groupNorm', { defaultShapes: [{ rows: 32, cols: 4096 }], shapeError: (s) => (s.rows % 32 === 0 ? undefined : 'channels a multiple of 32') }],
    ]);
    const plan = (shapes: { rows: number; cols: number }[] | null) => planCases({ ops: ['layerNorm', 'groupNorm'], shapes, reps: 5, warmup: 0, dtypes: [{ dtype: 'f32', ops: null }, { dtype: 'f16', ops: null }] }, checked);
    expect(plan(null).map((c) => `${c.dtype} ${c.op}`)).toHaveLength(DEFAULT_SHAPES.length * 2 + 2);
    expect(plan([{ rows: 64, cols: 8 }])).toHaveLength(4);
    let err: unknown;
    try {
      plan([{ rows: 64, cols: 8 }, { rows: 1, cols: 4096 }, { rows: 3, cols: 8 }]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    // Each bad (op, shape) once, though two dtypes plan it; layerNorm takes every shape.
    expect((err as Error).message.split('\n').slice(1)).toEqual(['  groupNorm 1x4096: channels a multiple of 32', '  groupNorm 3x8: channels a multiple of 32']);
  });

  test('a dtype\'s own shapes apply unless --shapes is given', () => {
    const dtypes = [{ dtype: 'f16' as const, ops: null, shapes: [{ rows: 2, cols: 8 }] }];
    const own = planCases({ ops: ['layerNorm'], shapes: null, reps: 20, warmup: 0, dtypes }, ops);
    expect(own.map((c) => `${c.shape.rows}x${c.shape.cols}`)).toEqual(['2x8']);
    const given = planCases({ ops: ['layerNorm'], shapes: [{ rows: 1, cols: 8 }], reps: 20, warmup: 0, dtypes }, ops);
    expect(given.map((c) => `${c.shape.rows}x${c.shape.cols}`)).toEqual(['1x8']);
  });

  test('the default f16 shapes are the default row-norm shapes, every one of them', () => {
    const key = (s: { rows: number; cols: number }) => `${s.rows}x${s.cols}`;
    expect(F16_DEFAULT_SHAPES.map(key).sort()).toEqual(DEFAULT_SHAPES.map(key).sort());
  });

  test('the default shapes are the ones the issue lists', () => {
    expect(DEFAULT_SHAPES.map((s) => `${s.rows}x${s.cols}`)).toEqual(['1x768', '128x768', '2048x768', '1x4096', '512x4096', '4096x1024']);
  });
});
