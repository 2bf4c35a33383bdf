/**
 * The data that crosses runtime boundaries (page ↔ Node over DevTools, worker ↔ parent over IPC):
 * plain JSON-serializable objects only.
 */
import type { SampleSummary } from './stats.js';
import type { BenchDtype } from './dtype.js';

/** The library as the benchmark uses it: the module namespace of the built `dist/index.js`. */
export type NormLibrary = typeof import('../../src/index.js');

/** A tensor shape: `rows` tokens (or rows) of `cols` features, the last dimension normalized. */
export interface Shape {
  readonly rows: number;
  readonly cols: number;
}

/** One op × shape to measure. */
export interface CaseSpec {
  readonly op: string;
  readonly shape: Shape;
  /** Storage dtype of the activations (`--dtype`). */
  readonly dtype: BenchDtype;
  /** Timed repetitions per measurement (the reported values are their medians). */
  readonly reps: number;
  /** Untimed repetitions before each measurement (pipeline creation, caches, clocks). */
  readonly warmup: number;
  /**
   * `--tune`: for an op `norm.tune()` serves, also time every candidate variant at this shape and
   * compare the selection rule's choice with the fastest ({@link TuneComparison}).
   */
  readonly tune?: boolean;
}

/**
 * The selection rule's variant against `norm.tune()` at one op × dtype × shape: every candidate
 * timed by tune() on a normalizer of its own (so the winner never changes the variant the other
 * measurements use), with `reps` samples each.
 */
export interface TuneComparison {
  /** The fastest candidate (`describeVariant`) and its median GPU time. */
  readonly best: string;
  readonly bestMs: number;
  /** The rule's variant (the record's `variant`) as tune() timed it; null if it is not a candidate. */
  readonly ruleMs: number | null;
  /** ruleMs / bestMs: 1 when the rule picked the fastest; null with ruleMs. */
  readonly ruleRatio: number | null;
  /** The rule's place among the candidates, fastest first (1 = fastest); null with ruleMs. */
  readonly ruleRank: number | null;
  /** How many variants tune() timed. */
  readonly candidates: number;
  /**
   * The variant tune() keeps for the shape's bucket: the rule's unless a candidate beat it round for
   * round by more than TUNE_MARGIN (3 %).
   */
  readonly picked: string;
  /** The picked variant's median per-round time over the rule's (1 when tune() kept the rule). */
  readonly pickedVsRule: number;
  /** The slowest candidate and its median, for scale. */
  readonly worst: string;
  readonly worstMs: number;
  /** How tune() timed them: GPU timestamps, or wall time around each submission. */
  readonly timer: 'timestamp-query' | 'wall';
}

/** What the device and runtime are; printed at the top of a run and stored in the JSON. */
export interface EnvironmentInfo {
  readonly runtime: 'chromium' | 'node';
  /** `navigator.userAgent` in Chromium, `node vX (webgpu package)` in Node. */
  readonly userAgent: string;
  readonly adapter: {
    readonly vendor: string;
    readonly architecture: string;
    readonly device: string;
    readonly description: string;
  };
  /** Adapter features; the device was created with the optional ones the library can use. */
  readonly adapterFeatures: readonly string[];
  readonly deviceFeatures: readonly string[];
  readonly limits: Readonly<Record<string, number>>;
  /** How GPU time is measured: timestamp queries around each pass, or submit → done wall time. */
  readonly gpuTiming: 'timestamp-query' | 'submit-wall';
  /** Timestamp step inferred by a probe at start-up (ns), null if it could not be inferred. */
  readonly timestampGranularityNs: number | null;
  readonly timestampsQuantized: boolean;
  /** Smallest step of `performance.now()` (µs): coarse in pages that are not cross-origin isolated. */
  readonly jsTimerResolutionUs: number;
}

/** One measured op × shape: what the table, the JSON and the chart are made of. Times in ms. */
export interface CaseRecord {
  readonly op: string;
  readonly rows: number;
  readonly cols: number;
  /** Storage dtype of the activations; parameters and statistics are f32 for both. */
  readonly dtype: BenchDtype;
  /** The kernel variant the library chose (`describeVariant`). */
  readonly variant: string;
  readonly reps: number;
  /** Least bytes the op reads and writes (inputs once, outputs once). */
  readonly bytes: number;
  /** GPU time of one op pass (median). */
  readonly gpuMs: number;
  readonly gpu: SampleSummary;
  /** GPU time of the vec4 copy moving `copyBytes` (median), run in the same submission as each op pass. */
  readonly copyMs: number;
  readonly copy: SampleSummary;
  /** Copy configuration that was fastest for this size, e.g. `wg256x4`. */
  readonly copyVariant: string;
  /** Bytes the copy reads and writes: the op's main tensor in and out. */
  readonly copyBytes: number;
  /**
   * GPU time of the two-read floor (median): the same tensor read twice and written once, run in
   * the same submission as the op and the copy in each round. The least a norm costs where its row cannot stay in
   * registers between statistics and output (CPU adapters); see `bench/copy.wgsl`.
   */
  readonly rereadMs: number;
  readonly reread: SampleSummary;
  /** Configuration of the fastest two-read kernel for this size, e.g. `wg16x256span`. */
  readonly rereadVariant: string;
  /** Bytes the two-read kernel moves: the main tensor read twice, written once. */
  readonly rereadBytes: number;
  /** Convenience form (typed arrays in, upload, run, readback) wall time (median). */
  readonly wallMs: number;
  /**
   * The transfer floor (median wall time): `writeBuffer` of the same input arrays, one copy of
   * the outputs into a read-back buffer, one `mapAsync`, each output copied out; no kernel.
   */
  readonly transferMs: number;
  readonly transfer: SampleSummary;
  /** Bytes the transfer floor writes plus reads back (the convenience form's inputs and outputs). */
  readonly transferBytes: number;
  /** wallMs / (transferMs + gpuMs): 1 is the convenience form at its floor. */
  readonly wallRatio: number;
  /**
   * The transfer floor with the op's kernel recorded by hand into the same submission (median wall
   * time): what the typed-array form does, without the library's own per-call work. Unlike
   * transferMs + gpuMs, it includes the wait for finished work that a dispatch adds.
   */
  readonly handMs?: number;
  /** wallMs / handMs: the typed-array form's own overhead (1 = none). */
  readonly handRatio?: number;
  /** `cpu.fast` in the same JS engine (median). */
  readonly cpuMs: number;
  /** JS cost of one encode call with warm caches, in µs (median of batches). */
  readonly encodeUs: number;
  /** Calls per JS-timed sample (each sample lasts ≥ 10 ms, so coarse timers do not matter). */
  readonly batches: { readonly wall: number; readonly transfer: number; readonly hand?: number; readonly cpu: number; readonly encode: number };
  /** bytes / gpu time, in GB/s (1e9 bytes). */
  readonly gbps: number;
  readonly copyGbps: number;
  /** gpuMs / copyMs: 1 is the copy roofline, larger is slower. */
  readonly rooflineRatio: number;
  /** gpuMs / rereadMs: 1 is the two-read floor. */
  readonly rereadRatio: number;
  /** cpuMs / gpuMs. */
  readonly cpuSpeedup: number;
  /** Max |GPU − float64 reference| over the main output, from the timed (encode) path. */
  readonly maxAbsError: number;
  /** Whether every element was within the library's stated tolerance. */
  readonly withinTolerance: boolean;
  /** Timestamp step inferred from this case's samples (ns), null if not inferable. */
  readonly timestampGranularityNs: number | null;
  readonly timestampsQuantized: boolean;
  /** Timed passes that read as 0 ns (shorter than the timestamp step). */
  readonly zeroSamples: number;
  /** With `--tune`, for the ops `norm.tune()` serves: the rule's variant against tune()'s fastest. */
  readonly tune?: TuneComparison;
}

/** Called as a case moves through its phases, for the terminal's progress line. */
export type ProgressFn = (phase: string) => void;
