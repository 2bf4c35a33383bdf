/**
 * The chart: per op × shape, bars for the GPU kernel, the copy roofline, the convenience form and
 * the CPU path, on a log time axis (the shapes span four decades, and ratios read as equal
 * distances). Hand-written SVG: a dozen element kinds do not justify a dependency. Pure.
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
  { label: 'convenience form (wall, incl. upload/readback)', color: '#f59e0b', value: (r) => r.wallMs },
  { label: 'CPU (cpu.fast, same JS engine)', color: '#dc2626', value: (r) => r.cpuMs },
];

/** Text of the chart's title lines. */
export interface ChartText {
  readonly title: string;
  readonly subtitle: string;
}

const BAR = 16;
const BAR_GAP = 2;
const GROUP_GAP = 28;
const MARGIN = { left: 84, right: 24, top: 112, bottom: 64 };
const PLOT_HEIGHT = 300;
const MIN_WIDTH = 680;
/** The legend's second column, from the plot's left edge. */
const LEGEND_COLUMN = 320;

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

/**
 * Renders `records` as a standalone SVG document.
 *
 * @example
 * ```ts
 * writeFileSync('bench.svg', renderChart(records, { title: 'webgpu-norm benchmark', subtitle: 'SwiftShader, Chromium' }));
 * ```
 */
export function renderChart(records: readonly CaseRecord[], text: ChartText): string {
  const barsWidth = CHART_SERIES.length * BAR + (CHART_SERIES.length - 1) * BAR_GAP;
  // Wide enough for the legend's second column too (its labels at up to ~7 px a character).
  const legendRight = LEGEND_COLUMN + 16 + 7 * Math.max(...CHART_SERIES.filter((_, i) => i % 2 === 1).map((s) => s.label.length));
  const plotWidth = Math.max(MIN_WIDTH - MARGIN.left - MARGIN.right, legendRight - MARGIN.right, records.length * (barsWidth + GROUP_GAP));
  // Few cases: spread the groups over the plot rather than crowd them at the left.
  const groupWidth = plotWidth / Math.max(1, records.length);
  const width = MARGIN.left + plotWidth + MARGIN.right;
  const height = MARGIN.top + PLOT_HEIGHT + MARGIN.bottom;
  const [lo, hi] = logDomain(records.flatMap((r) => CHART_SERIES.map((s) => s.value(r))));
  const bottom = MARGIN.top + PLOT_HEIGHT;
  const y = (v: number) => {
    const t = (Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo));
    return bottom - t * PLOT_HEIGHT;
  };
  const px = (v: number) => (Math.round(v * 10) / 10).toString();
  const multipleOps = new Set(records.map((r) => r.op)).size > 1;
  const out: string[] = [];
  const push = (s: string) => out.push(s);

  push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="12">`);
  push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  push(`<text x="${MARGIN.left}" y="24" font-size="16" font-weight="600" fill="#111827">${escapeXml(text.title)}</text>`);
  push(`<text x="${MARGIN.left}" y="44" fill="#4b5563">${escapeXml(text.subtitle)}</text>`);

  // Legend: two columns, so long labels fit the narrowest chart.
  CHART_SERIES.forEach((s, i) => {
    const lx = MARGIN.left + (i % 2) * LEGEND_COLUMN;
    const ly = 58 + Math.floor(i / 2) * 18;
    push(`<rect x="${lx}" y="${ly}" width="12" height="12" fill="${s.color}"/>`);
    push(`<text x="${lx + 16}" y="${ly + 10}" fill="#374151">${escapeXml(s.label)}</text>`);
  });

  // Grid: decades labelled, 2× and 5× faint.
  for (let d = lo; d <= hi * 1.0001; d = Number((d * 10).toPrecision(1))) {
    const gy = px(y(d));
    push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${gy}" y2="${gy}" stroke="#d1d5db"/>`);
    // String(1e-2) is '0.01': decades need no significant-digit padding.
    push(`<text x="${MARGIN.left - 6}" y="${gy}" dy="4" text-anchor="end" fill="#374151">${String(d)} ms</text>`);
    if (d < hi) {
      for (const m of [2, 5]) {
        const my = px(y(d * m));
        push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${my}" y2="${my}" stroke="#f3f4f6"/>`);
      }
    }
  }
  push(`<text transform="translate(14 ${MARGIN.top + PLOT_HEIGHT / 2}) rotate(-90)" text-anchor="middle" fill="#374151">median time per call (log scale)</text>`);

  records.forEach((r, g) => {
    const gx = MARGIN.left + g * groupWidth + (groupWidth - barsWidth) / 2;
    CHART_SERIES.forEach((s, i) => {
      const v = s.value(r);
      const x = gx + i * (BAR + BAR_GAP);
      const top = y(v);
      const tip = `${r.op} ${formatShape(r.rows, r.cols)} · ${s.label}: ${formatNumber(v)} ms`;
      push(`<rect class="bar" x="${px(x)}" y="${px(top)}" width="${BAR}" height="${px(bottom - top)}" fill="${s.color}"><title>${escapeXml(tip)}</title></rect>`);
      push(`<text transform="translate(${px(x + BAR / 2 + 3)} ${px(top - 4)}) rotate(-90)" font-size="9" fill="#374151">${formatNumber(v)}</text>`);
    });
    const cx = px(gx + barsWidth / 2);
    push(`<text x="${cx}" y="${bottom + 18}" text-anchor="middle" fill="#111827">${formatShape(r.rows, r.cols)}</text>`);
    push(`<text x="${cx}" y="${bottom + 32}" text-anchor="middle" font-size="10" fill="#4b5563">${formatNumber(r.rooflineRatio)}× copy</text>`);
    if (multipleOps) push(`<text x="${cx}" y="${bottom + 46}" text-anchor="middle" font-size="10" fill="#4b5563">${escapeXml(r.op)}</text>`);
  });
  push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${bottom}" y2="${bottom}" stroke="#6b7280"/>`);
  push('</svg>');
  return out.join('\n') + '\n';
}
