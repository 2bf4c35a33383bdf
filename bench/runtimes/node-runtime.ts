/**
 * Runs the benchmark core in Node through the `webgpu` package, in a child process so the Vulkan
 * environment (see node-env.ts) is in place before Dawn loads.
 */
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CaseRecord, EnvironmentInfo } from '../core/types.js';
import { nodeWebgpuEnv } from './node-env.js';
import type { WorkerMessage, WorkerRequest } from './protocol.js';
import type { BenchRuntime } from './runtime.js';

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };
/** A request without its id (distributes over the union, unlike Omit). */
type Request = WorkerRequest extends infer R ? (R extends WorkerRequest ? Omit<R, 'id'> : never) : never;

/** Forks the worker and opens its WebGPU session. */
export async function openNodeRuntime(): Promise<BenchRuntime> {
  const { env, notes } = nodeWebgpuEnv(process.env, existsSync);
  const root = fileURLToPath(new URL('../..', import.meta.url));
  // In the GPU kit (tools/gpu-kit) this module is bundled into plain JavaScript, its worker too:
  // a sibling .mjs that runs without tsx.
  const bundled = !import.meta.url.endsWith('.ts');
  const child = fork(fileURLToPath(new URL(bundled ? './node-worker.mjs' : './node-worker.ts', import.meta.url)), [], {
    cwd: root,
    env,
    execArgv: bundled ? [] : ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  // Dawn's warnings go to stderr; keep them for error messages instead of interleaving them
  // with the progress lines.
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const pending = new Map<number, Pending>();
  let onProgress: ((phase: string) => void) | undefined;
  let nextId = 1;
  const fail = (why: string) => {
    const e = new Error(`${why}${stderr ? `\nworker stderr:\n${stderr.trim()}` : ''}`);
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  child.on('message', (m: WorkerMessage) => {
    if ('progress' in m) return onProgress?.(m.progress);
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if ('error' in m) p.reject(new Error(m.error));
    else p.resolve(m.result);
  });
  child.on('exit', (code, signal) => fail(`the Node benchmark worker exited (${signal ?? `code ${code}`})`));
  child.on('error', (e) => fail(`the Node benchmark worker failed: ${e.message}`));
  const call = <T>(req: Request): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ ...req, id } as WorkerRequest);
    });
  const close = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.disconnect();
    // A worker still inside a case (the run was stopped) ends when that case does; do not leave
    // it running behind the CLI.
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(kill);
  };
  try {
    const environment = await call<EnvironmentInfo>({ method: 'environment' });
    return {
      environment,
      notes,
      async runCase(spec, progress) {
        onProgress = progress;
        try {
          return await call<CaseRecord>({ method: 'runCase', spec });
        } finally {
          onProgress = undefined;
        }
      },
      close,
    };
  } catch (e) {
    child.kill();
    throw e;
  }
}
