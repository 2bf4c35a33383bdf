/**
 * A place the measurement core runs: headless Chromium or a Node child process. The CLI drives
 * either through this interface, one case at a time, so it can print progress between cases.
 */
import type { CaseRecord, CaseSpec, EnvironmentInfo, ProgressFn } from '../core/types.js';

export interface BenchRuntime {
  readonly environment: EnvironmentInfo;
  /** Notes about how the runtime was set up (browser flags, environment variables it set). */
  readonly notes: readonly string[];
  runCase(spec: CaseSpec, progress: ProgressFn): Promise<CaseRecord>;
  close(): Promise<void>;
}
