/**
 * Renders the markdown report from a JSON file that `npm run bench` wrote earlier, without
 * rerunning the benchmark (e.g. after a change to the report's wording):
 *
 *   npx tsx bench/report/markdown-cli.ts bench-results/chromium.json docs/performance.md [--chart docs/performance.svg]
 *
 * Paths are relative to the current directory. The report says "partial run" when the JSON's
 * run was one (see `runScopeOf`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { JsonReport } from './json-report.js';
import { renderMarkdownReport } from './markdown-report.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const { values, positionals } = parseArgs({ args: process.argv.slice(2), options: { chart: { type: 'string' } }, allowPositionals: true });
if (positionals.length !== 2) {
  console.error('usage: npx tsx bench/report/markdown-cli.ts RUN.json OUT.md [--chart CHART.svg]');
  process.exit(2);
}
const [input, output] = positionals.map((p) => resolve(p)) as [string, string];
const report = JSON.parse(readFileSync(input, 'utf8')) as JsonReport;
const link = (to: string) => relative(dirname(output), to).split('\\').join('/');
const inRoot = relative(root, input);
writeFileSync(
  output,
  renderMarkdownReport(report, {
    chart: values.chart === undefined ? undefined : link(resolve(values.chart)),
    docs: link(resolve(root, 'docs')).replace(/(.)$/, '$1/'),
    json: inRoot.startsWith('..') ? undefined : inRoot,
  }),
);
console.log(`wrote ${output}`);
