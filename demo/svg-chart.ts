/**
 * Two small chart builders for the demo (grouped bars, lines over layers), returning SVG markup.
 * Hand-written rather than a chart library: the charts need axes, a legend, tooltips and a log
 * or linear scale — about 150 lines — while a library would add 50–200 kB to a page that must be
 * bundled without a CDN, and the benchmark's own chart (bench/report/svg-chart.ts) is already SVG.
 * Pure (strings in, string out).
 */

export interface ChartSeries {
  readonly label: string;
  readonly color: string;
  /** One value per group (bars) or per x (lines); null where there is none. */
  readonly values: readonly (number | null)[];
  /** Dashed line (lines only). */
  readonly dashed?: boolean;
}

export interface ChartOptions {
  readonly title: string;
  readonly yLabel: string;
  readonly width?: number;
  readonly height?: number;
  readonly log?: boolean;
  /** Formats tick and value labels. */
  readonly format?: (v: number) => string;
}

const M = { left: 64, right: 16, top: 40, bottom: 56 };

/** Escapes text for SVG content and attributes. */
export function esc(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

const short = (v: number) => (v === 0 ? '0' : Math.abs(v) >= 1000 || Math.abs(v) < 0.01 ? v.toExponential(0).replace('e+', 'e') : String(Number(v.toPrecision(2))));

/** A linear or log10 scale over the values (log: whole decades; linear: from 0, 5 nice ticks). */
function scale(values: readonly number[], log: boolean, lo: number, hi: number): { y: (v: number) => number; ticks: number[] } {
  const vs = values.filter((v) => Number.isFinite(v) && (!log || v > 0));
  if (log) {
    const a = Math.floor(Math.log10(Math.min(...vs, 1)));
    let b = Math.ceil(Math.log10(Math.max(...vs, 1e-9)));
    if (b <= a) b = a + 1;
    const ticks: number[] = [];
    for (let d = a; d <= b; d++) ticks.push(Number(`1e${d}`));
    return { y: (v) => hi - ((Math.log10(Math.max(v, ticks[0]!)) - a) / (b - a)) * (hi - lo), ticks };
  }
  const max = Math.max(...vs, 0) || 1;
  const min = Math.min(...vs, 0);
  const step = niceStep((max - min) / 5);
  const top = Math.ceil(max / step) * step;
  const bottom = Math.floor(min / step) * step;
  const ticks: number[] = [];
  for (let t = bottom; t <= top + step / 2; t += step) ticks.push(Number(t.toPrecision(6)));
  return { y: (v) => hi - ((v - bottom) / (top - bottom)) * (hi - lo), ticks };
}

function niceStep(raw: number): number {
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

function frame(o: ChartOptions, w: number, h: number, ticks: number[], y: (v: number) => number, series: readonly ChartSeries[]): string[] {
  const f = o.format ?? short;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${esc(o.title)}" font-family="system-ui, sans-serif" font-size="11">`,
    `<text x="${M.left}" y="16" font-size="13" font-weight="600" fill="#111827">${esc(o.title)}</text>`,
  ];
  let lx = M.left;
  for (const s of series) {
    out.push(`<rect x="${lx}" y="24" width="10" height="10" fill="${s.color}"/><text x="${lx + 14}" y="33" fill="#374151">${esc(s.label)}</text>`);
    lx += 22 + s.label.length * 6.2;
  }
  for (const t of ticks) {
    const ty = y(t).toFixed(1);
    out.push(`<line x1="${M.left}" x2="${w - M.right}" y1="${ty}" y2="${ty}" stroke="#e5e7eb"/><text x="${M.left - 6}" y="${ty}" dy="4" text-anchor="end" fill="#4b5563">${esc(f(t))}</text>`);
  }
  out.push(`<text transform="translate(14 ${(M.top + h - M.bottom) / 2}) rotate(-90)" text-anchor="middle" fill="#4b5563">${esc(o.yLabel)}</text>`);
  return out;
}

/**
 * Grouped bars: one group per label, one bar per series; null values are marked "n/a".
 *
 * @example
 * ```ts
 * barChart(['LayerNorm', 'RMSNorm'], [{ label: 'GPU', color: '#2563eb', values: [0.2, 0.15] }], { title: 'time', yLabel: 'ms', log: true });
 * ```
 */
export function barChart(groups: readonly string[], series: readonly ChartSeries[], o: ChartOptions): string {
  const w = o.width ?? 560;
  const h = o.height ?? 300;
  const bottom = h - M.bottom;
  const { y, ticks } = scale(series.flatMap((s) => s.values.filter((v): v is number => v !== null)), !!o.log, M.top + 8, bottom);
  const out = frame(o, w, h, ticks, y, series);
  const gw = (w - M.left - M.right) / Math.max(1, groups.length);
  const bw = Math.min(36, (gw * 0.8) / Math.max(1, series.length));
  const f = o.format ?? short;
  groups.forEach((g, gi) => {
    const gx = M.left + gi * gw + (gw - bw * series.length) / 2;
    series.forEach((s, si) => {
      const v = s.values[gi];
      const x = gx + si * bw;
      if (v === null || v === undefined || !Number.isFinite(v)) {
        out.push(`<text x="${(x + bw / 2).toFixed(1)}" y="${bottom - 4}" text-anchor="middle" font-size="9" fill="#9ca3af">n/a</text>`);
        return;
      }
      const top = Math.min(y(v), bottom - 1);
      out.push(`<rect class="bar" x="${x.toFixed(1)}" y="${top.toFixed(1)}" width="${(bw - 2).toFixed(1)}" height="${(bottom - top).toFixed(1)}" fill="${s.color}"><title>${esc(`${g} · ${s.label}: ${f(v)}`)}</title></rect>`);
      out.push(`<text x="${(x + bw / 2 - 1).toFixed(1)}" y="${(top - 3).toFixed(1)}" text-anchor="middle" font-size="9" fill="#374151">${esc(f(v))}</text>`);
    });
    out.push(`<text x="${(M.left + gi * gw + gw / 2).toFixed(1)}" y="${bottom + 16}" text-anchor="middle" fill="#111827">${esc(g)}</text>`);
  });
  out.push(`<line x1="${M.left}" x2="${w - M.right}" y1="${bottom}" y2="${bottom}" stroke="#6b7280"/></svg>`);
  return out.join('');
}

/**
 * Lines over x = 0, 1, 2, … (e.g. layers), with a dot per point.
 *
 * @example
 * ```ts
 * lineChart(['0', '1', '2'], [{ label: 'Pre-LN', color: '#2563eb', values: [1, 1.4, 1.7] }], { title: 'std', yLabel: 'std' });
 * ```
 */
export function lineChart(xs: readonly string[], series: readonly ChartSeries[], o: ChartOptions & { xLabel: string }): string {
  const w = o.width ?? 560;
  const h = o.height ?? 300;
  const bottom = h - M.bottom;
  const { y, ticks } = scale(series.flatMap((s) => s.values.filter((v): v is number => v !== null)), !!o.log, M.top + 8, bottom);
  const out = frame(o, w, h, ticks, y, series);
  const step = (w - M.left - M.right) / Math.max(1, xs.length - 1);
  const x = (i: number) => M.left + i * step;
  xs.forEach((label, i) => out.push(`<text x="${x(i).toFixed(1)}" y="${bottom + 16}" text-anchor="middle" fill="#4b5563">${esc(label)}</text>`));
  out.push(`<text x="${(M.left + w - M.right) / 2}" y="${h - 14}" text-anchor="middle" fill="#4b5563">${esc(o.xLabel)}</text>`);
  for (const s of series) {
    const pts = s.values.map((v, i) => (v === null ? null : `${x(i).toFixed(1)},${y(v).toFixed(1)}`)).filter((p): p is string => p !== null);
    out.push(`<polyline class="line" points="${pts.join(' ')}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 4"' : ''}/>`);
    s.values.forEach((v, i) => {
      if (v !== null) out.push(`<circle cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3" fill="${s.color}"><title>${esc(`${s.label}, ${xs[i]}: ${(o.format ?? short)(v)}`)}</title></circle>`);
    });
  }
  out.push(`<line x1="${M.left}" x2="${w - M.right}" y1="${bottom}" y2="${bottom}" stroke="#6b7280"/></svg>`);
  return out.join('');
}
