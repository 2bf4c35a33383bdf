/**
 * The benchmark CLI stopped part-way (`npm run bench`, and the GPU kit under a time limit): SIGTERM
 * after the first case ends the run, and the cases measured so far are still reported and written
 * as a partial run, with the shell's status for SIGTERM. Runs the real CLI (tsx, the Node runtime
 * and its worker) on this project's driver.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';

const root = join(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'bench-stop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('SIGTERM after the first case: the cases done are written as a partial run, status 143', async () => {
  const json = join(dir, 'stopped.json');
  const shapes = ['16x64', '32x64', '48x64', '64x64', '80x64', '96x64', '112x64', '128x64'];
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--runtime', 'node', '--ops', 'layerNorm', '--dtype', 'f32', '--shapes', shapes.join(','), '--reps', '3', '--warmup', '1', '--json', json, '--no-chart', '--no-markdown'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let sent = false;
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    if (!sent && stdout.includes(`[1/${shapes.length}] layerNorm`)) {
      sent = true;
      child.kill('SIGTERM');
    }
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const status = await new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  expect(sent, stdout + stderr).toBe(true);
  expect(status, stderr).toBe(143);
  const report = JSON.parse(readFileSync(json, 'utf8')) as { meta: { scope: string }; records: { op: string; rows: number; withinTolerance: boolean }[] };
  const done = report.records.length;
  expect(done).toBeGreaterThanOrEqual(1);
  expect(done).toBeLessThan(shapes.length);
  expect(report.meta.scope).toBe('partial');
  expect(report.records.map((r) => r.rows)).toEqual(shapes.slice(0, done).map((s) => Number(s.split('x')[0])));
  expect(report.records.every((r) => r.op === 'layerNorm' && r.withinTolerance)).toBe(true);
  expect(stderr).toContain(`bench: stopped by SIGTERM after ${done} of ${shapes.length} case(s)`);
  // The table of what was measured is still printed.
  expect(stdout).toContain('per op, against the targets:');
}, 120_000);
