/**
 * Ctrl-C in a Chromium benchmark run (`npm run bench`): the CLI, not puppeteer, handles SIGINT, so
 * the cases measured so far are reported and written as a partial run before the browser closes,
 * with the shell's status for SIGINT. Runs the real CLI, which starts its own Chromium;
 * test/node/bench-stop.test.ts does the same with SIGTERM in Node.
 */
import { expect, test } from 'vitest';
import { runAndStop, STOP_SHAPES } from '../shared/bench-stop.js';

test('SIGINT after the first case: the cases done are written as a partial run, status 130', async () => {
  const r = await runAndStop('chromium', 'SIGINT');
  expect(r.sent, r.stdout + r.stderr).toBe(true);
  expect(r.status, r.stderr).toBe(130);
  const done = r.report!.records.length;
  expect(done).toBeGreaterThanOrEqual(1);
  expect(done).toBeLessThan(STOP_SHAPES.length);
  expect(r.report!.meta.scope).toBe('partial');
  expect(r.report!.records.every((c) => c.op === 'layerNorm' && c.withinTolerance)).toBe(true);
  expect(r.stderr).toContain(`bench: stopped by SIGINT after ${done} of ${STOP_SHAPES.length} case(s)`);
}, 180_000);
