/**
 * The `--json` file: run metadata, then one self-contained record per op × shape (each carries the
 * runtime, adapter and timestamp verdict, so records can be collected across runs). Pure.
 */
import type { CaseRecord, EnvironmentInfo } from '../core/types.js';
import type { RunScope } from '../args.js';
import { describeAdapter } from './text-report.js';

/** Facts about the run that are not about the device. */
export interface RunMeta {
  /** ISO date of the run's start. */
  readonly date: string;
  readonly argv: readonly string[];
  /** 1-minute load averages at start and end: the machine may be shared. */
  readonly loadAverage: { readonly start: number; readonly end: number };
  readonly cpus: number;
  readonly elapsedSeconds: number;
  readonly notes: readonly string[];
  /**
   * Whether this was a full run (the default ops and shapes) or a subset; see `BenchArgs.scope`.
   * Absent in files written before it was recorded (then read off `argv`).
   */
  readonly scope?: RunScope | undefined;
}

/** A record as stored in the JSON file. */
export type JsonRecord = CaseRecord & { readonly runtime: string; readonly adapter: string };

/** The JSON document. */
export interface JsonReport {
  readonly meta: RunMeta & { readonly environment: EnvironmentInfo; readonly timestampsQuantized: boolean };
  readonly records: readonly JsonRecord[];
}

/**
 * Builds the JSON document. `timestampsQuantized` is true if the start-up probe or any case saw
 * quantized timestamps.
 *
 * @example
 * ```ts
 * writeFileSync(path, JSON.stringify(buildJsonReport(env, records, meta), null, 2));
 * ```
 */
export function buildJsonReport(environment: EnvironmentInfo, records: readonly CaseRecord[], meta: RunMeta): JsonReport {
  const adapter = describeAdapter(environment);
  return {
    meta: { ...meta, environment, timestampsQuantized: environment.timestampsQuantized || records.some((r) => r.timestampsQuantized) },
    records: records.map((r) => ({ ...r, runtime: environment.runtime, adapter })),
  };
}
