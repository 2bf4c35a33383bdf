/**
 * How the CLI talks to the measurement core in each runtime: the page's `window.bench` object
 * (called through `page.evaluate`, progress streamed back as console messages), and the Node
 * worker's IPC messages (progress as messages too).
 */
import type { CaseRecord, CaseSpec, EnvironmentInfo } from '../core/types.js';

/** The page exposes this as `window.bench`. */
export interface BenchPageApi {
  /** Opens the device and session (once) and describes it. */
  environment(): Promise<EnvironmentInfo>;
  /** Measures one case; progress goes to the console as {@link PROGRESS_PREFIX} + phase. */
  runCase(spec: CaseSpec): Promise<CaseRecord>;
}

/** Prefix of the page's console messages that report a case's phase. */
export const PROGRESS_PREFIX = '[bench-progress] ';

/** CLI → Node worker. */
export type WorkerRequest = { readonly id: number; readonly method: 'environment' } | { readonly id: number; readonly method: 'runCase'; readonly spec: CaseSpec };

/** Node worker → CLI. */
export type WorkerMessage =
  | { readonly id: number; readonly result: EnvironmentInfo | CaseRecord }
  | { readonly id: number; readonly error: string }
  | { readonly progress: string };
