import { describe, expect, test } from 'vitest';
import { buildJsonReport, type RunMeta } from '../../bench/report/json-report.js';
import { markdownTable, renderMarkdownReport, runScopeOf } from '../../bench/report/markdown-report.js';
import { formatTargetSummary } from '../../bench/report/text-report.js';
import { environment, record } from './fixtures.js';

const meta: RunMeta = {
  date: '2026-01-02T03:04:05.000Z',
  argv: [],
  loadAverage: { start: 0.25, end: 1.5 },
  cpus: 2,
  elapsedSeconds: 95.4,
  notes: ['Chromium flags: --x'],
  scope: 'full',
};
const records = [
  record(),
  record({ op: 'rmsNorm', rows: 1, cols: 4096, gpuMs: 0.09, copyMs: 0.05, rooflineRatio: 1.8, rereadRatio: 1.2 }),
  record({ op: 'rmsNorm', rows: 512, cols: 4096, rooflineRatio: 1.5, rereadRatio: 1.1 }),
];
const report = buildJsonReport({ ...environment, userAgent: 'Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/156.0.0.0 Safari/537.36' }, records, meta);

describe('runScopeOf', () => {
  test('the recorded scope wins', () => {
    expect(runScopeOf({ scope: 'partial', argv: [] })).toBe('partial');
    expect(runScopeOf({ scope: 'full', argv: ['--ops', 'layerNorm'] })).toBe('full');
  });

  test.each([
    [[], 'full'],
    [['--reps', '30', '--json', 'x.json'], 'full'],
    [['--runtime', 'node'], 'full'],
    [['--shapes', '1x768'], 'partial'],
    [['--shapes=1x768'], 'partial'],
    [['--ops', 'layerNorm'], 'partial'],
    [['--reps', '5'], 'partial'],
    [['--reps=5'], 'partial'],
  ])('older files: read off argv %j → %s', (argv, scope) => {
    expect(runScopeOf({ scope: undefined, argv })).toBe(scope);
  });
});

describe('markdownTable', () => {
  test('a header, an alignment row (numbers right), one row per record', () => {
    const lines = markdownTable(report.records);
    expect(lines).toHaveLength(2 + records.length);
    expect(lines[0]).toBe('| op | dtype | shape | variant | GPU ms | GB/s | copy ms | GPU / copy | 2-read ms | GPU / 2-read | CPU ms | CPU / GPU | wall ms | floor ms | wall / (floor + GPU) | wall / by hand | encode µs | max abs err | ok |');
    expect(lines[1]).toBe('| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
    expect(lines[2]).toBe('| layerNorm | f32 | 128×768 | `wg64/t64/vec4/workgroup/reg0` | 0.500 | 1.58 | 0.250 | 2.00× | 0.400 | 1.25× | 2.00 | 4.00× | 3.50 | 2.50 | 1.17× | 1.25× | 7.25 | 4.8e-7 | ✓ |');
  });

  test('every row has as many cells as the header; a | inside a cell is escaped', () => {
    const lines = markdownTable(buildJsonReport(environment, [record({ variant: 'a|b', withinTolerance: false })], meta).records);
    const cells = (l: string) => l.split(/(?<!\\)\|/).length;
    expect(new Set(lines.map(cells)).size).toBe(1);
    expect(lines[2]).toContain('a\\|b');
    expect(lines[2]).toMatch(/✗ wrong \|$/);
  });
});

describe('renderMarkdownReport', () => {
  const md = renderMarkdownReport(report, { docs: '', chart: 'performance.svg', json: 'bench-results/chromium.json' });

  test('says where and how it was measured', () => {
    expect(md.startsWith('# Performance\n')).toBe(true);
    expect(md).toContain('Measured 2026-01-02 03:04 UTC with `npm run bench`.');
    expect(md).toContain('| runtime | chromium · HeadlessChrome/156.0.0.0 |');
    expect(md).toContain('| adapter | google / swiftshader (0xc0de, SwiftShader Device (Subzero)) |');
    expect(md).toContain('| device features | subgroups, timestamp-query |');
    expect(md).toContain('1 ns steps, not quantized');
    expect(md).toContain('medians of 30 timed repetitions');
    expect(md).toContain('2 CPUs; 1-min load average 0.25 → 1.50; run took 95 s');
    expect(md).toContain('| note | Chromium flags: --x |');
    expect(md).toContain('| data | `bench-results/chromium.json` |');
  });

  test('a full run carries no partial-run banner; the chart and the docs links are relative', () => {
    expect(md).not.toMatch(/Partial run/);
    expect(md).toContain('](performance.svg)');
    expect(md).toContain('](variants.md)');
    expect(md).toContain('](numerics.md)');
  });

  test('the table, and the per-op summary the terminal prints, figure for figure', () => {
    for (const line of markdownTable(report.records)) expect(md).toContain(line);
    const terminal = formatTargetSummary(records).map((l) => l.replace(/^\S+\s+/, ''));
    expect(terminal).toHaveLength(2);
    for (const summary of terminal) expect(md).toContain(summary);
    expect(md).toContain('- **rmsNorm**: large shapes: 1.50× copy, 1.10× 2-read (geomean of 1) · worst shape 1.80× copy (1×4096) · 1×4096: 1.80× copy');
  });

  test('a partial run says so and names its command line; links from outside docs/ go through it', () => {
    const partial = buildJsonReport(environment, records, { ...meta, scope: 'partial', argv: ['--ops', 'layerNorm'] });
    const text = renderMarkdownReport(partial, { docs: '../docs/' });
    expect(text).toMatch(/> \*\*Partial run\*\* \(`npm run bench -- --ops layerNorm`\)/);
    expect(text).toContain('](../docs/variants.md)');
    expect(text).not.toContain('.svg)');
    expect(text).not.toContain('| data |');
  });

  test('cases outside the tolerance are named above the table', () => {
    const bad = buildJsonReport(environment, [record({ rows: 4096, cols: 1024, withinTolerance: false })], meta);
    expect(renderMarkdownReport(bad, { docs: '' })).toContain("**1 case(s) outside the library's tolerance:** layerNorm 4096×1024.");
  });
});
