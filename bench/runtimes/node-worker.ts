/**
 * The benchmark in Node, in a child process started by node-runtime.ts (with the Vulkan
 * environment set before start-up): the built library, the `webgpu` package's GPU and the copy
 * shader read from disk, handed to the same core the page uses. Requests arrive over IPC.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { create, globals } from 'webgpu';
import * as lib from '../../dist/index.js';
import { openBenchSession, type BenchSession } from '../core/bench-session.js';
import type { WorkerMessage, WorkerRequest } from './protocol.js';

Object.assign(globalThis, globals);
// Dawn rounds timestamps by default, as browsers do; a benchmark wants the nanoseconds.
const gpu = create(['disable-dawn-features=timestamp_quantization']);
const copyShader = readFileSync(new URL('../copy.wgsl', import.meta.url), 'utf8');
const require = createRequire(import.meta.url);
const webgpuVersion = (JSON.parse(readFileSync(require.resolve('webgpu/package.json'), 'utf8')) as { version: string }).version;

let session: Promise<BenchSession> | undefined;
const open = () => (session ??= openBenchSession({ lib, gpu, copyShader, runtime: 'node', userAgent: `Node ${process.version}, webgpu ${webgpuVersion} (Dawn)` }));

const send = (m: WorkerMessage) => process.send!(m);

process.on('message', (req: WorkerRequest) => {
  const work = req.method === 'environment' ? open().then((s) => s.environment) : open().then((s) => s.runCase(req.spec, (progress) => send({ progress })));
  work.then(
    (result) => send({ id: req.id, result }),
    (e: unknown) => send({ id: req.id, error: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
  );
});
// Dawn keeps handles open; leave as soon as the CLI is gone.
process.on('disconnect', () => process.exit(0));
