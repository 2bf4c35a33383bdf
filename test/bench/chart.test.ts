import { describe, expect, test } from 'vitest';
import { CHART_SERIES, CHART_WIDTH, chartPanels, escapeXml, logDomain, MAX_GROUPS_PER_ROW, renderChart } from '../../bench/report/svg-chart.js';
import { record } from './fixtures.js';

/** Tag balance of a generated document: every opened element is closed, in order. */
function checkWellFormed(svg: string): void {
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
    const [, closing, name, selfClosing] = m;
    if (selfClosing) continue;
    if (closing) expect(stack.pop(), `closing </${name}>`).toBe(name);
    else stack.push(name!);
  }
  expect(stack).toEqual([]);
}

describe('logDomain', () => {
  test.each([
    [[0.03, 12], [0.01, 100]],
    [[0.5, 0.7], [0.1, 1]],
    [[1, 10], [1, 10]],
    [[5, 5], [1, 10]],
    [[0, 2, -1], [1, 10]],
    [[], [1, 10]],
  ])('%j → %j', (values, domain) => expect(logDomain(values)).toEqual(domain));
});

test('escapeXml', () => {
  expect(escapeXml(`a<b>&"c'`)).toBe('a&lt;b&gt;&amp;&quot;c&apos;');
});

describe('renderChart', () => {
  const records = [record({ rows: 1, cols: 768, gpuMs: 0.08, copyMs: 0.02, rereadMs: 0.03, cpuMs: 0.005, wallMs: 2.6 }), record({ rows: 4096, cols: 1024, gpuMs: 244, copyMs: 15, rereadMs: 24, cpuMs: 23, wallMs: 222 })];
  const svg = renderChart(records, { title: 'bench <f32> & co', subtitle: 'swiftshader' });

  test('a standalone, well-formed SVG document', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    checkWellFormed(svg);
  });

  test('one bar per series per case, with a tooltip naming it', () => {
    expect(svg.match(/<rect class="bar"/g)).toHaveLength(records.length * CHART_SERIES.length);
    expect(svg).toContain('<title>layerNorm f32 4096×1024 · GPU kernel (timestamp queries): 244 ms</title>');
    expect(svg).toContain('transfer floor');
    expect(svg).toContain('copy roofline');
    expect(svg).toContain('two-read floor');
    expect(svg).toContain('CPU (cpu.fast');
  });

  test('log axis spans the decades of the data, labelled plainly', () => {
    for (const label of ['0.001 ms', '0.01 ms', '1 ms', '1000 ms']) expect(svg).toContain(`>${label}</text>`);
    expect(svg).not.toContain('>0.0001 ms<');
    expect(svg).not.toContain('>10000 ms<');
  });

  test('bars grow with the value', () => {
    const heights = [...svg.matchAll(/<rect class="bar"[^>]*height="([\d.]+)"/g)].map((m) => Number(m[1]));
    // Series order per group: gpu, copy, two-read, wall, transfer, cpu. In the big case gpu (244) > wall (222) > two-read (24) > cpu (23) > copy (15).
    const [gpu, copy, twice, wall, , cpu] = heights.slice(CHART_SERIES.length);
    expect(twice).toBeGreaterThan(cpu!);
    expect(gpu).toBeGreaterThan(wall!);
    expect(wall).toBeGreaterThan(cpu!);
    expect(cpu).toBeGreaterThan(copy!);
  });

  test('text is escaped; shapes and roofline ratios label the groups', () => {
    expect(svg).toContain('bench &lt;f32&gt; &amp; co');
    expect(svg).toContain('>1×768</text>');
    expect(svg).toContain('GPU 244 ms · 16.3× copy</text>');
  });

  test('one panel per op and dtype, titled', () => {
    const mixed = renderChart([record(), record({ op: 'rmsNorm' }), record({ dtype: 'f16' })], { title: 't', subtitle: 's' });
    for (const title of ['layerNorm · f32', 'rmsNorm · f32', 'layerNorm · f16']) expect(mixed).toContain(`>${title}</text>`);
  });

  test('1000 px wide whatever the number of cases; many shapes wrap into rows of at most six', () => {
    const many = Array.from({ length: 25 }, (_, i) => record({ op: i < 15 ? 'layerNorm' : 'rmsNorm', rows: i + 1 }));
    const big = renderChart(many, { title: 't', subtitle: 's' });
    expect(big).toMatch(new RegExp(`^<svg[^>]* width="${CHART_WIDTH}"`));
    expect(CHART_WIDTH).toBe(1000);
    const panels = chartPanels(many);
    expect(panels.map((p) => p.records.length)).toEqual([6, 6, 3, 6, 4]);
    expect(panels[0]!.title).toBe('layerNorm · f32 (1/3)');
    expect(panels.every((p) => p.records.length <= MAX_GROUPS_PER_ROW)).toBe(true);
    checkWellFormed(big);
  });

  test('an empty run still renders', () => {
    checkWellFormed(renderChart([], { title: 't', subtitle: 's' }));
  });
});
