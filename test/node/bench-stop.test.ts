/**
 * The benchmark CLI stopped part-way (`npm run bench`, and the GPU kit under a time limit): SIGTERM
 * after the first case ends the run, and the cases measured so far are still reported and written
 * as a partial run, with the shell's status for SIGTERM. Runs the real CLI (tsx, the Node runtime
 * and its worker) on this project's driver; test/gpu/bench-stop.test.ts does the same in Chromium
 * with Ctrl-C's SIGINT.
 */
import { expect, test } from 'vitest';
import { expectStoppedRun, runAndStop, STOP_SHAPES } from '../shared/bench-stop.js';

test('SIGTERM after the first case: the cases done are written as a partial run, status 143', async () => {
  const r = await runAndStop('node', 'SIGTERM');
  const done = expectStoppedRun(r, 'SIGTERM');
  // The cases done are the first ones, in order, and the table of what was measured is printed.
  expect(r.report!.records.map((c) => c.rows)).toEqual(STOP_SHAPES.slice(0, done).map((s) => Number(s.split('x')[0])));
  expect(r.stdout).toContain('per op, against the targets:');
}, 120_000);
