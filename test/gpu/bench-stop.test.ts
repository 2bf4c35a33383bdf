/**
 * Ctrl-C in a Chromium benchmark run (`npm run bench`): the CLI, not puppeteer, handles SIGINT, so
 * the cases measured so far are reported and written as a partial run before the browser closes,
 * with the shell's status for SIGINT. Runs the real CLI, which starts its own Chromium;
 * test/node/bench-stop.test.ts does the same with SIGTERM in Node.
 */
import { test } from 'vitest';
import { expectStoppedRun, runAndStop } from '../shared/bench-stop.js';

test('SIGINT after the first case: the cases done are written as a partial run, status 130', async () => {
  expectStoppedRun(await runAndStop('chromium', 'SIGINT'), 'SIGINT');
}, 180_000);
