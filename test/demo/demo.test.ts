/**
 * The demo's pure parts in Node: the no-WebGPU messages, the benchmark panel's shape field, the
 * SVG chart builders, and when `npm run demo` opens a browser.
 */
import { describe, expect, test } from 'vitest';
import { detectWebGpu, noWebGpuMessage } from '../../demo/gpu-availability.js';
import { parseShapeList } from '../../demo/shape-list.js';
import { barChart, lineChart } from '../../demo/svg-chart.js';
import { shouldOpen } from '../../tools/demo.js';
import { codeRegions } from '../../demo/code-view.js';

describe('no-WebGPU degrade', () => {
  test('detects an insecure context before a missing navigator.gpu', () => {
    expect(detectWebGpu({ isSecureContext: false, navigator: {} })).toBe('insecure-context');
    expect(detectWebGpu({ isSecureContext: true, navigator: {} })).toBe('no-navigator-gpu');
    expect(detectWebGpu({ isSecureContext: true, navigator: { gpu: {} } })).toBeNull();
  });

  test('each reason says what is wrong and what to do, and that the CPU side still works', () => {
    const insecure = noWebGpuMessage('insecure-context', 'http://192.168.1.5/demo/');
    expect(insecure).toContain('http://192.168.1.5/demo/');
    expect(insecure).toContain('127.0.0.1');
    expect(noWebGpuMessage('no-navigator-gpu', 'x')).toContain('navigator.gpu is missing');
    expect(noWebGpuMessage('no-adapter', 'x')).toContain('requestAdapter() returned null');
    expect(noWebGpuMessage('device-failed', 'x', 'limit exceeded')).toContain('limit exceeded');
    for (const r of ['insecure-context', 'no-navigator-gpu', 'no-adapter', 'device-failed'] as const) expect(noWebGpuMessage(r, 'x')).toContain('CPU columns');
  });
});

describe('benchmark shape field', () => {
  test('parses the CLI syntax', () => {
    expect(parseShapeList('1x768, 128×768,4*4096')).toEqual([
      { rows: 1, cols: 768 },
      { rows: 128, cols: 768 },
      { rows: 4, cols: 4096 },
    ]);
  });
  test.each(['', '0x768', '12', '3x', 'axb'])('refuses %j', (s) => {
    expect(() => parseShapeList(s)).toThrow();
  });
});

describe('SVG charts', () => {
  test('bar chart: one rect per value, n/a for null, escaped text', () => {
    const svg = barChart(['A<B', 'C'], [{ label: 'gpu', color: '#000', values: [1, null] }, { label: 'cpu', color: '#f00', values: [0.5, 2] }], { title: 't', yLabel: 'ms', log: true });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/class="bar"/g)).toHaveLength(3);
    expect(svg).toContain('n/a');
    expect(svg).toContain('A&lt;B');
    expect(svg).not.toContain('NaN');
  });
  test('line chart: one polyline per series with a point per x', () => {
    const svg = lineChart(['0', '1', '2'], [{ label: 'a', color: '#000', values: [1, 2, 3] }, { label: 'b', color: '#111', values: [1, 1, 1], dashed: true }], { title: 't', yLabel: 'y', xLabel: 'x' });
    const lines = [...svg.matchAll(/points="([^"]*)"/g)].map((m) => m[1]!.split(' ').length);
    expect(lines).toEqual([3, 3]);
    expect(svg).toContain('stroke-dasharray');
    expect(svg).not.toContain('NaN');
  });
});

describe('npm run demo', () => {
  test('opens a browser only on a desktop session, never in CI or with --no-open', () => {
    expect(shouldOpen([], { DISPLAY: ':0' }, 'linux')).toBe(true);
    expect(shouldOpen([], {}, 'linux')).toBe(false);
    expect(shouldOpen([], { DISPLAY: ':0', CI: 'true' }, 'linux')).toBe(false);
    expect(shouldOpen(['--no-open'], {}, 'darwin')).toBe(false);
    expect(shouldOpen([], {}, 'darwin')).toBe(true);
  });
});

describe('code shown under each section', () => {
  test('the marked regions, dedented, joined by an ellipsis line; unmarked code is left out', () => {
    const src = ['setup();', '  // #region library-code', '  const norm = await createNormalizer();', '    norm.layerNorm(x);', '  // #endregion', 'other();', '// #region library-code', 'cpu.rmsNorm(x);', '// #endregion'].join('\n');
    expect(codeRegions(src)).toBe('const norm = await createNormalizer();\n  norm.layerNorm(x);\n…\ncpu.rmsNorm(x);');
    expect(codeRegions('nothing();')).toBe('');
    expect(() => codeRegions('// #region library-code\nx();')).toThrow(/without its/);
  });
});
