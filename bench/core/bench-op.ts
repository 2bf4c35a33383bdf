/**
 * What the benchmark needs from an op. Everything op-specific (buffers, the encode call, the
 * convenience and CPU forms, the reference check) sits behind this interface, so the measurement
 * loop (`bench-session.ts`) never names an op.
 */
import type { Normalizer } from '../../src/index.js';
import type { PassRecorder } from '../../src/core/gpu-timer.js';
import type { NormLibrary, Shape } from './types.js';
import type { BenchDtype } from './dtype.js';
import type { TransferShape } from './transfer-floor.js';

/** What an op instance gets to create its buffers and call the library. */
export interface OpContext {
  readonly lib: NormLibrary;
  readonly norm: Normalizer;
  readonly device: GPUDevice;
  /** Storage dtype of the activations. */
  readonly dtype: BenchDtype;
}

/** The GPU result of the timed path checked against the float64 reference. */
export interface Verification {
  readonly maxAbsError: number;
  /** Every element within the library's stated tolerance. */
  readonly withinTolerance: boolean;
}

/** One op on one shape, with its inputs uploaded and its outputs allocated. */
export interface OpInstance {
  /** Least bytes the op reads plus writes (each input once, each output once). */
  readonly bytes: number;
  /** The main tensor's bytes / 4 (f32 words, whatever its dtype): the copy roofline moves this many in and out. */
  readonly copyElements: number;
  /** What the typed-array form moves, for the transfer floor. */
  readonly transfer: TransferShape;
  /** Records the op into an open pass or an encoder; returns the label of the variant used. */
  encode(target: GPUCommandEncoder | GPUComputePassEncoder): string;
  /** {@link encode} into the timer's pass. */
  readonly record: PassRecorder;
  /** The typed-array form: upload, run, read back. */
  convenience(): Promise<void>;
  /** The fast CPU path on the same inputs. */
  cpu(): void;
  /** Runs the encode path once, reads the output back and compares it with the reference. */
  verify(): Promise<Verification>;
  destroy(): void;
}

/** An op the benchmark can run; registered in `ops/index.ts`. */
export interface BenchOp {
  /** The name `--ops` takes, e.g. `layerNorm`. */
  readonly name: string;
  /**
   * Shapes to run when `--shapes` is not given; absent means the common token × width shapes.
   * The hook for ops whose natural shapes differ (GroupNorm on UNet activations).
   */
  readonly defaultShapes?: readonly Shape[];
  /**
   * Why `shape` cannot be benchmarked for this op, or undefined when it can: checked for every
   * planned case before the run starts, so a bad `--shapes` costs no device time.
   */
  readonly shapeError?: (shape: Shape) => string | undefined;
  create(ctx: OpContext, shape: Shape): OpInstance;
}
