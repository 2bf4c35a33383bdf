/**
 * The chart: per op × dtype a panel, per shape bars for the GPU kernel, the copy roofline, the
 * two-read floor, the typed-array form and its transfer floor, and the CPU path, on one log time
 * axis (the shapes span four decades, and ratios read as equal distances). 1000 px wide whatever
 * the run, so it reads without zooming; exact values are in each bar's tooltip and the table.
 * Hand-written SVG: a dozen element kinds do not justify a dependency. Pure.
 */
import type { CaseRecord } from '../core/types.js';
import { formatNumber, formatShape } from './format.js';

interface Series {
  readonly label: string;
  readonly color: string;
  readonly value: (r: CaseRecord) => number;
}

/** The bars of each group, left to right. */
export const CHART_SERIES: readonly Series[] = [
  { label: 'GPU kernel (timestamp queries)', color: '#2563eb', value: (r) => r.gpuMs },
  { label: 'copy roofline (same bytes)', color: '#94a3b8', value: (r) => r.copyMs },
  { label: 'two-read floor (read twice, write once)', color: '#cbd5e1', value: (r) => r.rereadMs },
  { label: 'typed-array form (wall: upload, kernel, read-back)', color: '#f59e0b', value: (r) => r.wallMs },
  { label: 'its transfer floor (upload + read-back, no kernel)', color: '#fcd34d', value: (r) => r.transferMs },
  { label: 'CPU (cpu.fast, same JS engine)', color: '#dc2626', value: (r) => r.cpuMs },
];

/** Text of the chart's title lines. */
export interface ChartText {
  readonly title: string;
  readonly subtitle: string;
}

/** The chart's width: readable on a laptop screen or a docs page without zooming. */
export const CHART_WIDTH = 1000;
/** Most groups (cases) in one panel row; more shapes wrap to another row of the same panel. */
export const MAX_GROUPS_PER_ROW = 6;
const BAR = 14;
const BAR_GAP = 2;
const MARGIN = { left: 84, right: 20 };
const HEADER = 112;
const PANEL_TITLE = 26;
const PLOT_HEIGHT = 170;
const PANEL_BOTTOM = 44;

/** Escapes text for SVG content and attribute values. */
export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/**
 * The decades `[lo, hi]` (powers of ten) covering every positive value; `[1, 10]` if none.
 *
 * @example
 * ```ts
 * logDomain([0.03, 12]); // [0.01, 100]
 * ```
 */
export function logDomain(values: readonly number[]): [number, number] {
  const positive = values.filter((v) => v > 0 && Number.isFinite(v));
  if (positive.length === 0) return [1, 10];
  const lo = Math.floor(Math.log10(Math.min(...positive)));
  let hi = Math.ceil(Math.log10(Math.max(...positive)));
  if (hi === lo) hi = lo + 1;
  // Powers of ten computed from integers, so 1e-2 is exactly the literal 0.01.
  return [Number(`1e${lo}`), Number(`1e${hi}`)];
}

/** One row of groups: an op (and dtype) with up to {@link MAX_GROUPS_PER_ROW} shapes. */
export interface ChartPanel {
  readonly title: string;
  readonly records: readonly CaseRecord[];
}

/**
 * The records split into panels: one per op and dtype, in run order, each cut into rows of at
 * most {@link MAX_GROUPS_PER_ROW} shapes. Pure.
 *
 * @example
 * ```ts
 * chartPanels(records).map((p) => p.title); // ['layerNorm · f32', 'rmsNorm · f32', 'layerNorm · f16', …]
 * ```
 */
export function chartPanels(records: readonly CaseRecord[]): ChartPanel[] {
  const keys = [...new Set(records.map((r) => `${r.op} · ${r.dtype ?? 'f32'}`))];
  return keys.flatMap((key) => {
    const mine = records.filter((r) => `${r.op} · ${r.dtype ?? 'f32'}` === key);
    const rows = Math.ceil(mine.length / MAX_GROUPS_PER_ROW);
    return Array.from({ length: rows }, (_, i) => ({
      title: rows > 1 ? `${key} (${i + 1}/${rows})` : key,
      records: mine.slice(i * MAX_GROUPS_PER_ROW, (i + 1) * MAX_GROUPS_PER_ROW),
    }));
  });
}

/**
 * Renders `records` as a standalone SVG document {@link CHART_WIDTH} pixels wide: a legend, then
 * one panel per op and dtype, all on one log time axis (so panels compare, and ratios read as
 * equal distances).
 *
 * @example
 * ```ts
 * writeFileSync('bench.svg', renderChart(records, { title: 'webgpu-norm benchmark', subtitle: 'SwiftShader, Chromium' }));
 * ```
 */
export function renderChart(records: readonly CaseRecord[], text: ChartText): string {
  const panels = chartPanels(records);
  const width = CHART_WIDTH;
  const plotWidth = width - MARGIN.left - MARGIN.right;
  const groupWidth = plotWidth / MAX_GROUPS_PER_ROW;
  const barsWidth = CHART_SERIES.length * BAR + (CHART_SERIES.length - 1) * BAR_GAP;
  const panelHeight = PANEL_TITLE + PLOT_HEIGHT + PANEL_BOTTOM;
  const height = HEADER + Math.max(1, panels.length) * panelHeight;
  const [lo, hi] = logDomain(records.flatMap((r) => CHART_SERIES.map((s) => s.value(r))));
  const px = (v: number) => (Math.round(v * 10) / 10).toString();
  const out: string[] = [];
  const push = (s: string) => out.push(s);

  push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="13">`);
  push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  push(`<text x="${MARGIN.left}" y="24" font-size="17" font-weight="600" fill="#111827">${escapeXml(text.title)}</text>`);
  push(`<text x="${MARGIN.left}" y="44" fill="#4b5563">${escapeXml(text.subtitle)}</text>`);

  // Legend: two columns of three.
  CHART_SERIES.forEach((s, i) => {
    const lx = MARGIN.left + (i % 2) * 430;
    const ly = 56 + Math.floor(i / 2) * 18;
    push(`<rect x="${lx}" y="${ly}" width="12" height="12" fill="${s.color}"/>`);
    push(`<text x="${lx + 16}" y="${ly + 10}" fill="#374151">${escapeXml(s.label)}</text>`);
  });

  panels.forEach((panel, p) => {
    const top = HEADER + p * panelHeight + PANEL_TITLE;
    const bottom = top + PLOT_HEIGHT;
    const y = (v: number) => {
      const t = (Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo));
      return bottom - t * PLOT_HEIGHT;
    };
    push(`<text x="${MARGIN.left}" y="${top - 8}" font-size="14" font-weight="600" fill="#111827">${escapeXml(panel.title)}</text>`);
    // Grid: decades labelled, 2× and 5× faint.
    for (let d = lo; d <= hi * 1.0001; d = Number((d * 10).toPrecision(1))) {
      const gy = px(y(d));
      push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${gy}" y2="${gy}" stroke="#d1d5db"/>`);
      // String(1e-2) is '0.01': decades need no significant-digit padding.
      push(`<text x="${MARGIN.left - 6}" y="${gy}" dy="4" text-anchor="end" font-size="11" fill="#374151">${String(d)} ms</text>`);
      if (d < hi) {
        for (const m of [2, 5]) {
          const my = px(y(d * m));
          push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${my}" y2="${my}" stroke="#f3f4f6"/>`);
        }
      }
    }
    panel.records.forEach((r, g) => {
      const gx = MARGIN.left + g * groupWidth + (groupWidth - barsWidth) / 2;
      CHART_SERIES.forEach((s, i) => {
        const v = s.value(r);
        const x = gx + i * (BAR + BAR_GAP);
        const barTop = y(v);
        const tip = `${r.op} ${r.dtype ?? 'f32'} ${formatShape(r.rows, r.cols)} · ${s.label}: ${formatNumber(v)} ms`;
        push(`<rect class="bar" x="${px(x)}" y="${px(barTop)}" width="${BAR}" height="${px(bottom - barTop)}" fill="${s.color}"><title>${escapeXml(tip)}</title></rect>`);
      });
      const cx = px(gx + barsWidth / 2);
      push(`<text x="${cx}" y="${bottom + 17}" text-anchor="middle" fill="#111827">${formatShape(r.rows, r.cols)}</text>`);
      push(`<text x="${cx}" y="${bottom + 33}" text-anchor="middle" font-size="11" fill="#4b5563">GPU ${formatNumber(r.gpuMs)} ms · ${formatNumber(r.rooflineRatio)}× copy</text>`);
    });
    push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${bottom}" y2="${bottom}" stroke="#6b7280"/>`);
  });
  push('</svg>');
  return out.join('\n') + '\n';
}
