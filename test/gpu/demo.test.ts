/**
 * The demo page (demo/, served by the shared Vite server, built dist/) in the shared headless
 * Chromium: every section finishes, the numbers match the float64 reference, the charts are drawn,
 * there are no console errors, and the page looks like something (screenshots under
 * test-results/demo/, gitignored, checked for size and for not being blank). Also the degraded
 * page (`?nogpu` hides navigator.gpu).
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { inject } from 'vitest';
import type * as Lib from '../../src/index.js';
import { readFileSync } from 'node:fs';
import { CHART_SERIES } from '../../bench/report/svg-chart.js';

const lib = (await import(new URL('../../dist/index.js', import.meta.url).href)) as typeof Lib;
const OUT = new URL('../../test-results/demo/', import.meta.url);

let browser: Browser;
beforeAll(async () => {
  browser = await puppeteer.connect({ browserWSEndpoint: inject('browserWSEndpoint'), protocolTimeout: 600_000 });
  mkdirSync(OUT, { recursive: true });
});
afterAll(async () => {
  await browser?.disconnect();
});

async function open(query = ''): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  await page.setViewport({ width: 1200, height: 900 });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(`${inject('origin')}/demo/${query}`);
  await page.waitForFunction('window.demoStatus && window.demoStatus.all === "done"', { timeout: 170_000, polling: 250 });
  return { page, errors };
}

type Status = Record<string, string>;
const status = (page: Page) => page.evaluate(() => (window as unknown as { demoStatus: Status }).demoStatus);
const results = <T>(page: Page, key: string) => page.evaluate((k) => (window as unknown as { demoResults: Record<string, unknown> }).demoResults[k], key) as Promise<T>;

interface Steps {
  x: number[];
  gamma: number[];
  beta: number[];
  epsilon: number;
  cpu: { mean: number; variance: number; rstd: number; y: number[] };
  gpu: { mean: number; variance: number; rstd: number; xhat: number[]; y: number[] } | null;
}

/** Screenshot of the whole page, saved, and checked: a real PNG, large, with many colours. */
async function screenshot(page: Page, name: string): Promise<void> {
  const png = (await page.screenshot({ fullPage: true, type: 'png' })) as Uint8Array;
  const file = new URL(name, OUT);
  writeFileSync(file, png);
  expect(statSync(file).size, `${name} size`).toBeGreaterThan(40_000);
  // Decode it in the page (no PNG library here) and count distinct colours on a coarse grid: a
  // blank or single-colour page has a handful.
  const colours = await page.evaluate(async (b64: string) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width;
    c.height = img.height;
    const g = c.getContext('2d')!;
    g.drawImage(img, 0, 0);
    const seen = new Set<number>();
    const d = g.getImageData(0, 0, c.width, c.height).data;
    for (let i = 0; i < d.length; i += 4 * 97) seen.add((d[i]! << 16) | (d[i + 1]! << 8) | d[i + 2]!);
    return { n: seen.size, w: img.width, h: img.height };
  }, Buffer.from(png).toString('base64'));
  expect(colours.w).toBe(1200);
  expect(colours.h, 'full page height').toBeGreaterThan(1500);
  expect(colours.n, `${name}: distinct colours`).toBeGreaterThan(30);
}

describe('demo page with WebGPU (SwiftShader)', () => {
  let page: Page;
  let errors: string[];
  beforeAll(async () => {
    ({ page, errors } = await open());
  });
  afterAll(async () => {
    await page?.close();
  });

  test('every section finished', async () => {
    const s = await status(page);
    expect(s).toMatchObject({ webgpu: 'available', steps: 'done', compare: 'done', prepost: 'done', bench: 'done', all: 'done' });
  });

  test('adapter facts shown', async () => {
    const a = await results<{ vendor: string; features: string[]; variant: string }>(page, 'adapter');
    expect(a.features).toContain('timestamp-query');
    const text = await page.$eval('#adapter', (e) => e.textContent ?? '');
    expect(text).toContain('subgroups');
    expect(text).toContain('shader-f16');
    expect(text).toContain(a.variant);
  });

  const checkSteps = (s: Steps) => {
    const ref = lib.cpu.layerNormF64(new Float32Array(s.x), { cols: 4, epsilon: s.epsilon, gamma: new Float32Array(s.gamma), beta: new Float32Array(s.beta) });
    expect(s.cpu.mean).toBeCloseTo(ref.mean[0]!, 10);
    expect(s.cpu.rstd).toBeCloseTo(ref.rstd[0]!, 10);
    expect(s.gpu).not.toBeNull();
    const scale = Math.max(1, ...s.x.map(Math.abs));
    expect(Math.abs(s.gpu!.mean - ref.mean[0]!)).toBeLessThanOrEqual(1e-5 * scale);
    expect(Math.abs(s.gpu!.rstd - ref.rstd[0]!)).toBeLessThanOrEqual(1e-5 * ref.rstd[0]!);
    s.gpu!.y.forEach((v, j) => expect(Math.abs(v - ref.y[j]!)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(s.gamma[j]!)) + 1e-5 * Math.abs(ref.y[j]!)));
  };

  test('the 4-vector walk-through matches the reference, on the GPU and the CPU', async () => {
    const s = await results<Steps>(page, 'steps');
    expect(s.x).toEqual([2, 4, 6, 8]);
    expect(s.cpu.mean).toBe(5);
    expect(s.cpu.variance).toBe(5);
    checkSteps(s);
    const cells = await page.$$eval('[data-k]', (es) => Object.fromEntries(es.map((e) => [e.getAttribute('data-k'), e.textContent])));
    expect(cells['mean-cpu']).toContain('= 5');
    expect(cells['mean-gpu']).toBe('5');
    for (const k of ['variance', 'rstd', 'xhat', 'y']) expect(cells[`${k}-gpu`], k).toMatch(/\d/);
  });

  test('editing the vector recomputes both sides', async () => {
    const input = await page.$('input[data-vec="x"][data-j="3"]');
    await input!.click({ count: 3 });
    await input!.type('-10');
    await page.waitForFunction(() => (window as unknown as { demoResults: { steps: Steps } }).demoResults.steps.x[3] === -10, { timeout: 30_000 });
    const s = await results<Steps>(page, 'steps');
    expect(s.x).toEqual([2, 4, 6, -10]);
    checkSteps(s);
  });

  test('LN/RMS/BN chart drawn with timings', async () => {
    const c = await results<{ gpuMs: (number | null)[]; cpuMs: number[]; hasBatchNorm: boolean }>(page, 'compare');
    expect(c.gpuMs[0]).toBeGreaterThan(0);
    expect(c.gpuMs[1]).toBeGreaterThan(0);
    c.cpuMs.forEach((v) => expect(v).toBeGreaterThan(0));
    const bars = await page.$$eval('#compare-chart svg rect.bar', (es) => es.map((e) => Number(e.getAttribute('height'))));
    expect(bars.length).toBe(c.hasBatchNorm ? 6 : 5);
    bars.forEach((h) => expect(h).toBeGreaterThan(0));
    const note = await page.$eval('#compare', (e) => e.textContent ?? '');
    if (!c.hasBatchNorm) expect(note).toContain('no GPU BatchNorm yet');
    else expect(c.gpuMs[2], note).toBeGreaterThan(0);
  });

  test('Pre-LN vs Post-LN: the verdict quotes the table\'s own numbers', async () => {
    const { first, last, verdict } = await page.evaluate(() => {
      const rows = [...document.querySelectorAll('#prepost table.stats tr')].slice(1);
      const preStd = (r: Element) => (r.children[1]!.textContent ?? '').split(' / ')[0]!;
      return { first: preStd(rows[0]!), last: preStd(rows[rows.length - 1]!), verdict: document.getElementById('prepost-verdict')!.textContent ?? '' };
    });
    expect(verdict).toContain(`from ${first} to ${last} (`);
  });

  test('every section shows the library code behind it, verbatim from its module, collapsed', async () => {
    const blocks = await page.$$eval('section', (ss) =>
      ss.map((s) => ({ open: s.querySelector<HTMLDetailsElement>('details.code')?.open ?? null, code: [...s.querySelectorAll('details.code code')].map((c) => ({ file: (c as HTMLElement).dataset.file!, text: c.textContent ?? '' })) })),
    );
    const expected = [['createNormalizer', 'describeVariant'], ['norm.layerNorm', 'cpu.layerNormF64'], ['encodeLayerNorm', 'encodeRmsNorm', 'cpu.fast.layerNorm'], ['encodeAddLayerNorm'], ['runCase']];
    expect(blocks).toHaveLength(expected.length);
    blocks.forEach((b, i) => {
      expect(b.open, `section ${i}`).toBe(false);
      const all = b.code.map((c) => c.text).join('\n');
      for (const call of expected[i]!) expect(all, `section ${i}`).toContain(call);
      for (const { file, text } of b.code) {
        const source = readFileSync(fileURLToPath(new URL(`../../${file}`, import.meta.url)), 'utf8');
        for (const line of text.split('\n').slice(1)) if (line !== '…' && line.trim()) expect(source, `${file}: ${line}`).toContain(line.trim());
      }
    });
    // Opening one shows its code.
    await page.click('section:nth-of-type(2) details.code summary');
    expect(await page.$eval('section:nth-of-type(2) details.code pre', (e) => e.getBoundingClientRect().height)).toBeGreaterThan(40);
    await page.click('section:nth-of-type(2) details.code summary');
  });

  test('the op checkboxes stay on the line of their names at any width', async () => {
    for (const width of [1200, 700, 420]) {
      await page.setViewport({ width, height: 900 });
      const split = await page.$$eval('label:has(input[data-op])', (ls) => ls.filter((l) => l.getClientRects().length !== 1 || Math.abs(l.querySelector('input')!.getBoundingClientRect().top - l.getBoundingClientRect().top) > 8).map((l) => l.textContent));
      expect(split, `${width} px`).toEqual([]);
    }
    await page.setViewport({ width: 1200, height: 900 });
  });

  test('Pre-LN vs Post-LN: GPU stack matches the CPU, Pre-LN stream grows, chart drawn', async () => {
    const p = await results<{ layers: number; maxErr: number; preGrowth: number; postStd: number[] }>(page, 'prepost');
    expect(p.layers).toBe(12);
    expect(p.maxErr).toBeLessThan(1e-3);
    expect(p.preGrowth).toBeGreaterThan(1.5);
    const lines = await page.$$eval('#prepost-chart svg polyline', (es) => es.map((e) => (e.getAttribute('points') ?? '').split(' ').length));
    expect(lines).toEqual([13, 13, 13]);
  });

  test('live benchmark: LayerNorm and RMSNorm on one small shape, chart, table, JSON', async () => {
    await page.$eval('#bench-shapes', (e) => ((e as HTMLInputElement).value = '8x256'));
    await page.$eval('#bench-reps', (e) => ((e as HTMLInputElement).value = '3'));
    await page.click('input[data-op="rmsNorm"]'); // layerNorm is checked by default
    await page.click('#bench-run');
    await page.waitForFunction(() => Array.isArray((window as unknown as { demoResults: { bench?: unknown[] } }).demoResults.bench), { timeout: 170_000, polling: 500 });
    const recs = await results<{ op: string; rows: number; cols: number; gpuMs: number; copyMs: number; rereadMs: number; cpuMs: number; withinTolerance: boolean }[]>(page, 'bench');
    expect(recs).toHaveLength(2);
    expect(recs[0]).toMatchObject({ op: 'layerNorm', rows: 8, cols: 256, withinTolerance: true });
    expect(recs[1]).toMatchObject({ op: 'rmsNorm', rows: 8, cols: 256, withinTolerance: true });
    for (const r of recs) for (const k of ['gpuMs', 'copyMs', 'rereadMs', 'cpuMs'] as const) expect(r[k], k).toBeGreaterThan(0);
    const bars = await page.$$eval('#bench-chart svg rect.bar', (es) => es.length);
    expect(bars).toBe(12); // 2 cases × the chart's 6 series
    expect(await page.$eval('#bench-download', (e) => (e as HTMLButtonElement).disabled)).toBe(false);
    // What the download button saves: the CLI's --json document.
    const report = await results<{ meta: { environment: { runtime: string; adapter: { vendor: string } } }; records: { runtime: string; adapter: string }[] }>(page, 'benchReport');
    expect(report.meta.environment.runtime).toBe('chromium');
    expect(report.records).toHaveLength(2);
    expect(report.records[0]!.adapter).toContain('swiftshader');
    expect(await page.$$eval('#bench-table tr', (es) => es.length)).toBe(3);
    // The status text names every kind of bar the chart draws, and the chart draws that many per case.
    const progress = await page.$eval('#bench-progress', (e) => e.textContent ?? '');
    for (const s of CHART_SERIES) expect(progress).toContain(s.label);
    expect(bars).toBe(CHART_SERIES.length * recs.length);
    // No text of the chart (legend included) runs past the chart's right edge.
    const overflow = await page.$eval('#bench-chart svg', (svg) => {
      const right = svg.getBoundingClientRect().right;
      return [...svg.querySelectorAll('text')].filter((t) => t.getBoundingClientRect().right > right + 0.5).map((t) => t.textContent);
    });
    expect(overflow).toEqual([]);
  });

  test('screenshot looks like a page, no console errors', async () => {
    await screenshot(page, 'demo.png');
    // One image per section too, at full resolution, for a person to review.
    const sections = await page.$$('section');
    for (let i = 0; i < sections.length; i++) await sections[i]!.screenshot({ path: fileURLToPath(new URL(`section-${i}.png`, OUT)) as `${string}.png` });
    expect(errors).toEqual([]);
  });
});

describe('demo page without WebGPU (?nogpu)', () => {
  test('explains what is missing, still computes the CPU side', async () => {
    const { page, errors } = await open('?nogpu');
    try {
      const s = await status(page);
      expect(s.webgpu).toBe('unavailable: no-navigator-gpu');
      expect(s).toMatchObject({ steps: 'done', compare: 'done', prepost: 'done', bench: 'done' });
      const banner = await page.$eval('#webgpu-status', (e) => ({ cls: e.className, text: e.textContent ?? '' }));
      expect(banner.cls).toContain('warn');
      expect(banner.text).toContain('navigator.gpu is missing');
      const steps = await results<Steps>(page, 'steps');
      expect(steps.gpu).toBeNull();
      expect(steps.cpu.mean).toBe(5);
      expect(await page.$eval('#bench-run', (e) => (e as HTMLButtonElement).disabled)).toBe(true);
      expect(await page.$$eval('#compare-chart svg rect.bar', (es) => es.length)).toBe(3);
      await screenshot(page, 'demo-nogpu.png');
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
