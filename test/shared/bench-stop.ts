/**
 * Runs the benchmark CLI (`tsx bench/run.ts`) on a few small LayerNorm cases, sends `signal` once
 * the first case's line is out, and returns what a user would see: the exit status, the output,
 * and the JSON it wrote; and what both stop tests (Node runtime, Chromium runtime) expect of it.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';

/** The shapes the run would time, in order; the stop comes long before the last. */
export const STOP_SHAPES = ['16x64', '32x64', '48x64', '64x64', '80x64', '96x64', '112x64', '128x64'];

export interface StoppedRun {
  readonly status: number | null;
  readonly sent: boolean;
  readonly stdout: string;
  readonly stderr: string;
  readonly report: { meta: { scope: string }; records: { op: string; rows: number; withinTolerance: boolean }[] } | null;
}

export async function runAndStop(runtime: 'node' | 'chromium', signal: 'SIGINT' | 'SIGTERM'): Promise<StoppedRun> {
  const root = join(import.meta.dirname, '../..');
  const dir = mkdtempSync(join(tmpdir(), 'bench-stop-'));
  const json = join(dir, 'stopped.json');
  try {
    const args = ['--import', 'tsx', 'bench/run.ts', '--runtime', runtime, '--ops', 'layerNorm', '--dtype', 'f32', '--shapes', STOP_SHAPES.join(','), '--reps', '3', '--warmup', '1', '--json', json, '--no-chart', '--no-markdown'];
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (!sent && stdout.includes(`[1/${STOP_SHAPES.length}] layerNorm`)) {
        sent = true;
        child.kill(signal);
      }
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const status = await new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const report = existsSync(json) ? (JSON.parse(readFileSync(json, 'utf8')) as StoppedRun['report']) : null;
    return { status, sent, stdout, stderr, report };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * What a run stopped by `signal` after its first case must show: the signal's shell status, a
 * partial report holding at least that case and not every case, all LayerNorm and within
 * tolerance, and the CLI saying how far it got. Returns how many cases were done.
 */
export function expectStoppedRun(r: StoppedRun, signal: 'SIGINT' | 'SIGTERM'): number {
  expect(r.sent, r.stdout + r.stderr).toBe(true);
  expect(r.status, r.stderr).toBe(signal === 'SIGINT' ? 130 : 143);
  const done = r.report!.records.length;
  expect(done).toBeGreaterThanOrEqual(1);
  expect(done).toBeLessThan(STOP_SHAPES.length);
  expect(r.report!.meta.scope).toBe('partial');
  expect(r.report!.records.every((c) => c.op === 'layerNorm' && c.withinTolerance)).toBe(true);
  expect(r.stderr).toContain(`bench: stopped by ${signal} after ${done} of ${STOP_SHAPES.length} case(s)`);
  return done;
}
