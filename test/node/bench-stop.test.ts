/**
 * The benchmark CLI stopped part-way (`npm run bench`, and the GPU kit under a time limit): SIGTERM
 * after the first case ends the run, and the cases measured so far are still reported and written
 * as a partial run, with the shell's status for SIGTERM. Runs the real CLI (tsx, the Node runtime
 * and its worker) on this project's driver; test/gpu/bench-stop.test.ts does the same in Chromium
 * with Ctrl-C's SIGINT.
 */
import { expect, test } from 'vitest';
import { runAndStop, STOP_SHAPES } from '../shared/bench-stop.js';

test('SIGTERM after the first case: the cases done are written as a partial run, status 143', async () => {
  const r = await runAndStop('node', 'SIGTERM');
  expect(r.sent, r.stdout + r.stderr).toBe(true);
  expect(r.status, r.stderr).toBe(143);
  const done = r.report!.records.length;
  expect(done).toBeGreaterThanOrEqual(1);
  expect(done).toBeLessThan(STOP_SHAPES.length);
  expect(r.report!.meta.scope).toBe('partial');
  expect(r.report!.records.map((c) => c.rows)).toEqual(STOP_SHAPES.slice(0, done).map((s) => Number(s.split('x')[0])));
  expect(r.report!.records.every((c) => c.op === 'layerNorm' && c.withinTolerance)).toBe(true);
  expect(r.stderr).toContain(`bench: stopped by SIGTERM after ${done} of ${STOP_SHAPES.length} case(s)`);
  // The table of what was measured is still printed.
  expect(r.stdout).toContain('per op, against the targets:');
}, 120_000);
