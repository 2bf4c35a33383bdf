/**
 * "The benchmark, live": the same measurement core as `npm run bench` (bench/core/), in this tab,
 * on this adapter. Choose ops and shapes, run, see the GPU kernel vs the copy roofline vs the
 * convenience form vs the CPU path (the benchmark's own SVG chart), download the JSON report in
 * the CLI's `--json` format.
 */
import * as lib from '../dist/index.js';
import copyShader from '../bench/copy.wgsl?raw';
import { openBenchSession, type BenchSession } from '../bench/core/bench-session.js';
import { BENCH_OPS } from '../bench/core/ops/index.js';
import type { CaseRecord } from '../bench/core/types.js';
import { parseShapeList } from './shape-list.js';
import { buildJsonReport } from '../bench/report/json-report.js';
import { CHART_SERIES, renderChart } from '../bench/report/svg-chart.js';
import { describeAdapter } from '../bench/report/text-report.js';
import { el, fmt, results } from './dom.js';

/**
 * Builds the panel into `host`; without WebGPU the run button is disabled with the reason.
 *
 * @example
 * ```ts
 * mountBenchPanel(document.getElementById('bench')!, navigator.gpu ?? null);
 * ```
 */
export function mountBenchPanel(host: HTMLElement, gpu: GPU | null, unavailable: string | null): void {
  const ops = [...BENCH_OPS.keys()].map((name, i) => el('label', {}, el('input', { type: 'checkbox', value: name, ...(i === 0 ? { checked: '' } : {}), 'data-op': name }), ` ${name}`));
  const shapes = el('input', { type: 'text', value: '1x768,128x768', id: 'bench-shapes', size: '18', 'aria-label': 'shapes' });
  const reps = el('input', { type: 'number', min: '3', max: '200', value: '10', id: 'bench-reps', 'aria-label': 'repetitions' });
  const run = el('button', { id: 'bench-run', type: 'button' }, 'Run benchmark');
  const download = el('button', { id: 'bench-download', type: 'button', disabled: '' }, 'Download JSON');
  const progress = el('p', { class: 'muted', id: 'bench-progress' }, unavailable ?? 'Measures each case: verify against the float64 reference, tune the copy roofline, then timed rounds. SwiftShader takes ~10–30 s per shape.');
  const chart = el('div', { class: 'chart wide', id: 'bench-chart' });
  const table = el('table', { class: 'stats', id: 'bench-table' });
  host.append(el('div', { class: 'controls' }, el('span', { class: 'ops' }, 'ops: ', ...ops), el('label', {}, 'shapes (rows×cols) ', shapes), el('label', {}, 'rounds ', reps), run, download), progress, chart, table);
  if (!gpu) {
    run.disabled = true;
    return;
  }

  let session: Promise<BenchSession> | undefined;
  let report: unknown;
  run.addEventListener('click', () => {
    void (async () => {
      run.disabled = true;
      download.disabled = true;
      try {
        const chosen = ops.map((l) => l.querySelector('input')!).filter((i) => i.checked).map((i) => i.value);
        const shapeList = parseShapeList(shapes.value);
        const r = Math.max(3, Math.min(200, Math.round(Number(reps.value)) || 10));
        // #region library-code
        session ??= openBenchSession({ lib, gpu, copyShader, runtime: 'chromium', userAgent: navigator.userAgent });
        const s = await session;
        const started = performance.now();
        const records: CaseRecord[] = [];
        for (const op of chosen)
          for (const shape of shapeList) {
            records.push(await s.runCase({ op, shape, dtype: 'f32', reps: r, warmup: 2 }, (phase) => (progress.textContent = `${op} ${shape.rows}×${shape.cols}: ${phase}`)));
            chart.innerHTML = renderChart(records, { title: 'webgpu-norm, live in this tab', subtitle: describeAdapter(s.environment) });
          }
        // #endregion
        table.replaceChildren(
          el('tr', {}, ...['op', 'shape', 'variant', 'GPU ms', 'copy ms', '× copy', '× 2-read', 'GB/s', 'CPU ms', 'CPU / GPU', 'max |err|'].map((h) => el('th', {}, h))),
          ...records.map((c) =>
            el('tr', {}, ...[c.op, `${c.rows}×${c.cols}`, c.variant, fmt(c.gpuMs, 3), fmt(c.copyMs, 3), fmt(c.rooflineRatio, 3), fmt(c.rereadRatio, 3), fmt(c.gbps, 3), fmt(c.cpuMs, 3), fmt(c.cpuSpeedup, 3), `${fmt(c.maxAbsError, 2)}${c.withinTolerance ? '' : ' ✗'}`].map((v) => el('td', {}, v))),
          ),
        );
        report = buildJsonReport(s.environment, records, {
          date: new Date().toISOString(),
          argv: [location.href, `--ops ${chosen.join(',')}`, `--shapes ${shapes.value}`, `--reps ${r}`],
          // A page cannot read the machine's load average; 0 marks "unknown" in this field.
          loadAverage: { start: 0, end: 0 },
          cpus: navigator.hardwareConcurrency ?? 0,
          elapsedSeconds: (performance.now() - started) / 1000,
          notes: ['measured in the demo page (bench/core in the browser tab); load average unavailable in a page'],
        });
        results.bench = records;
        results.benchReport = report;
        progress.textContent = `Done: ${records.length} case(s) in ${fmt((performance.now() - started) / 1000, 3)} s. Bars, left to right: ${CHART_SERIES.map((c) => c.label).join('; ')}.`;
        download.disabled = false;
      } catch (e) {
        progress.textContent = `Benchmark failed: ${e instanceof Error ? e.message : String(e)}`;
        console.error(e);
      } finally {
        run.disabled = false;
      }
    })();
  });
  download.addEventListener('click', () => {
    const blob = new Blob([JSON.stringify(report, null, 2)], { type: 'application/json' });
    const a = el('a', { href: URL.createObjectURL(blob), download: `webgpu-norm-bench-${Date.now()}.json` });
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  });
}
