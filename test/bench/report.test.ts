import { describe, expect, test } from 'vitest';
import { alignColumns, formatError, formatNumber } from '../../bench/report/format.js';
import { buildJsonReport } from '../../bench/report/json-report.js';
import { describeTimestamps, formatCaseLine, formatHeader, formatTable, formatTargetSummary, TABLE_LEGEND, TARGETS, VARIANT_LEGEND, WIDE_LEGEND } from '../../bench/report/text-report.js';
import { environment, record } from './fixtures.js';

describe('formatNumber', () => {
  test.each([
    [0, '0'],
    [0.012345, '0.0123'],
    [0.1, '0.100'],
    [1.2345, '1.23'],
    [12.345, '12.3'],
    [123.45, '123'],
    [9.996, '10.0'],
    [999.6, '1000'],
    [12345.6, '12346'],
    [0.00000123, '0.00000123'],
    [-0.5, '-0.500'],
    [Infinity, 'Infinity'],
    [NaN, 'NaN'],
  ])('%d → %s', (v, s) => expect(formatNumber(v)).toBe(s));
});

describe('formatError', () => {
  test.each([
    [0, '0'],
    [4.768e-7, '4.8e-7'],
    [0.25, '2.5e-1'],
    [12, '1.2e1'],
    [Infinity, 'Infinity'],
  ])('%d → %s', (v, s) => expect(formatError(v)).toBe(s));
});

describe('alignColumns', () => {
  test('left text, right numbers, two-space gaps, no trailing spaces', () => {
    expect(
      alignColumns(
        [
          ['op', 'ms', 'ok'],
          ['layerNorm', '1.5', ''],
          ['x', '12.25', '✓'],
        ],
        ['left', 'right', 'left'],
      ),
    ).toEqual(['op            ms  ok', 'layerNorm    1.5', 'x          12.25  ✓']);
  });

  test('counts code points, so × and µ take one column', () => {
    const [a, b] = alignColumns([['1×768'], ['12345']], ['right']);
    expect([...a!].length).toBe([...b!].length);
  });
});

describe('formatTable', () => {
  const records = [record(), record({ rows: 4096, cols: 1024, gpuMs: 250, copyMs: 15, cpuMs: 22, rooflineRatio: 16.7, cpuSpeedup: 0.088, withinTolerance: false, maxAbsError: 0.5 })];
  const lines = formatTable(records, { wide: true });

  test('header, rule, one row per record, all the same width', () => {
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(
      /^op\s+dtype\s+shape\s+variant\s+gpu ms\s+GB\/s\s+copy ms\s+×copy\s+2read ms\s+×2read\s+wall ms\s+floor ms\s+×floor\s+hand ms\s+×hand\s+cpu ms\s+cpu\/gpu\s+encode µs\s+max\|err\|\s+ok$/,
    );
    expect(lines[1]).toMatch(/^─+$/);
    // Numeric columns are right-aligned: 'gpu ms' ends where its values end.
    const end = lines[0]!.indexOf('gpu ms') + 'gpu ms'.length;
    expect(lines[2]!.slice(0, end)).toMatch(/ 0\.500$/);
    expect(lines[3]!.slice(0, end)).toMatch(/ 250$/);
  });

  test('cells', () => {
    expect(lines[2]).toContain('128×768');
    expect(lines[2]).toContain('wg64/t64/vec4/workgroup/reg0');
    expect(lines[2]).toContain('2.00×');
    expect(lines[2]).toContain('0.400'); // the two-read floor
    expect(lines[2]).toContain('1.25×');
    expect(lines[2]).toContain('4.8e-7');
    expect(lines[2]!.endsWith('✓')).toBe(true);
    expect(lines[3]).toContain('4096×1024');
    expect(lines[3]!.endsWith('✗ WRONG')).toBe(true);
  });
});

describe('formatTable for a newcomer', () => {
  const long = [
    record({ op: 'layerNormBackward', rows: 4096, cols: 1024, variant: 'wg16/t1/vec4/none/reg0/x4/split8 and then some more words', gpuMs: 1234.5, wallMs: 23456 }),
    record({ op: 'rmsNorm', dtype: 'f16', rows: 1, cols: 4096 }),
  ];

  test('the default table fits 120 columns, cutting a long variant label with …', () => {
    const lines = formatTable(long);
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(120);
    expect(lines[2]).toContain('wg16/t1/vec4/none/reg0/x4/sp…');
    expect(lines[0]).not.toContain('GB/s');
    expect(lines[0]).toMatch(/^op\s+dtype\s+shape\s+variant\s+gpu ms\s+×copy\s+×2read\s+wall ms\s+×floor\s+cpu ms\s+ok$/);
  });

  test('--wide keeps every column and the whole label', () => {
    const lines = formatTable(long, { wide: true });
    expect(lines[2]).toContain('and then some more words');
    expect(lines[0]).toContain('encode µs');
  });

  test('the legends fit 120 columns too, and say what a variant label and the targets are', () => {
    for (const l of [...TABLE_LEGEND, ...WIDE_LEGEND, ...VARIANT_LEGEND, ...TARGETS]) expect([...l].length, l).toBeLessThanOrEqual(120);
    expect(VARIANT_LEGEND.join(' ')).toMatch(/invocations per workgroup/);
    expect(TARGETS.join(' ')).toMatch(/1\.15× the two-read floor/);
  });
});

describe('header and case line', () => {
  test('header names the adapter and the timestamp verdict', () => {
    const text = formatHeader(environment, ['Chromium flags: --x']).join('\n');
    expect(text).toContain('google / swiftshader (0xc0de, SwiftShader Device (Subzero))');
    expect(text).toContain('timestamps 1 ns steps, not quantized');
    expect(text).toContain('steps of 5.00 µs');
    expect(text).toContain('note       Chromium flags: --x');
  });

  test('timestamp verdicts', () => {
    expect(describeTimestamps('timestamp-query', 65536)).toMatch(/^QUANTIZED to 65\.5 µs/);
    expect(describeTimestamps('timestamp-query', null)).toMatch(/unknown/);
    expect(describeTimestamps('submit-wall', null)).toMatch(/no timestamp-query/);
  });

  test('case line', () => {
    expect(formatCaseLine(2, 6, record(), 4.25)).toBe('[2/6] layerNorm f32 128×768  gpu 0.500 ms = 2.00× copy, 1.25× 2-read · wall 3.50 ms = 1.17× floor · cpu 2.00 ms · ✓ 4.8e-7  (4.3 s)');
  });
});

describe('formatTargetSummary', () => {
  const rec = (op: string, rows: number, cols: number, rooflineRatio: number, rereadRatio: number) => record({ op, rows, cols, rooflineRatio, rereadRatio });

  test('geometric mean over the large shapes, worst shape, decode', () => {
    const lines = formatTargetSummary([
      rec('layerNorm', 1, 4096, 1.9, 1.2),
      rec('layerNorm', 128, 768, 2, 1),
      rec('layerNorm', 4096, 1024, 8, 4),
      rec('rmsNorm', 512, 4096, 1.5, 1.1),
    ]);
    expect(lines).toEqual([
      'layerNorm  large shapes: 4.00× copy, 2.00× 2-read (geomean of 2) · worst shape 8.00× copy (4096×1024) · 1×4096: 1.90× copy · typed-array form 1.17× floor, 1.25× by hand (geomean)',
      'rmsNorm    large shapes: 1.50× copy, 1.10× 2-read (geomean of 1) · worst shape 1.50× copy (512×4096) · typed-array form 1.17× floor, 1.25× by hand (geomean)',
    ]);
  });

  test('an op with only decode shapes', () => {
    expect(formatTargetSummary([rec('layerNorm', 1, 768, 2.5, 1.5)])).toEqual(['layerNorm  worst shape 2.50× copy (1×768) · 1×768: 2.50× copy · typed-array form 1.17× floor, 1.25× by hand (geomean)']);
    expect(formatTargetSummary([])).toEqual([]);
  });

  test('one line per op and dtype, the dtype named when the run has several', () => {
    const lines = formatTargetSummary([record(), record({ dtype: 'f16', rooflineRatio: 3 })]);
    expect(lines.map((l) => l.split('  ')[0])).toEqual(['layerNorm f32', 'layerNorm f16']);
    expect(lines[1]).toContain('3.00× copy');
  });
});

describe('buildJsonReport', () => {
  const meta = { date: '2026-01-01T00:00:00.000Z', argv: [], loadAverage: { start: 1, end: 2 }, cpus: 2, elapsedSeconds: 60, notes: [] };

  test('every record carries the fields the issue asks for, plus runtime and adapter', () => {
    const report = buildJsonReport(environment, [record()], meta);
    const r = report.records[0]!;
    for (const key of ['op', 'rows', 'cols', 'dtype', 'variant', 'gpuMs', 'copyMs', 'rooflineRatio', 'rereadMs', 'rereadRatio', 'cpuMs', 'encodeUs', 'wallMs', 'gbps', 'timestampsQuantized']) {
      expect(r, key).toHaveProperty(key);
    }
    expect(r.runtime).toBe('chromium');
    expect(r.adapter).toContain('swiftshader');
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  test('quantized if the probe or any case saw it', () => {
    expect(buildJsonReport(environment, [record()], meta).meta.timestampsQuantized).toBe(false);
    expect(buildJsonReport(environment, [record({ timestampsQuantized: true })], meta).meta.timestampsQuantized).toBe(true);
  });
});
