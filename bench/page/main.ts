/**
 * The benchmark inside headless Chromium: the built library (dist/index.js, as users get it),
 * the copy shader as text, and `navigator.gpu`, handed to the runtime-agnostic core. The CLI
 * calls `window.bench` once per case.
 */
import * as lib from '../../dist/index.js';
import copyShader from '../copy.wgsl?raw';
import { openBenchSession, type BenchSession } from '../core/bench-session.js';
import { PROGRESS_PREFIX, type BenchPageApi } from '../runtimes/protocol.js';

let session: Promise<BenchSession> | undefined;

function open(): Promise<BenchSession> {
  session ??= openBenchSession({ lib, gpu: navigator.gpu, copyShader, runtime: 'chromium', userAgent: navigator.userAgent });
  return session;
}

const api: BenchPageApi = {
  async environment() {
    return (await open()).environment;
  },
  async runCase(spec) {
    return (await open()).runCase(spec, (phase) => console.debug(PROGRESS_PREFIX + phase));
  },
};

(window as unknown as { bench: BenchPageApi }).bench = api;
