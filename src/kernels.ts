/**
 * Kernel families a normalizer loads. `createNormalizer` loads all five; `createLeanNormalizer`
 * loads the ones it is given, so an app bundles only the WGSL of the families it names (each
 * family object below is a plain, side-effect-free constant: a bundler drops the ones no code
 * names, and with them their encoders, runners and shader modules).
 */
import { NormError } from './core/errors.js';
import { probeF16Unpack, type DeviceFacts } from './core/f16-probe.js';
import { encodeRowNorm } from './ops/row-norm/encode.js';
import { runRowNorm } from './ops/row-norm/run.js';
import { tuneRowNorm } from './ops/row-norm/tune.js';
import { encodeNormBackward } from './ops/backward/encode.js';
import { runNormBackward } from './ops/backward/run.js';
import { encodeLpNorm } from './ops/lp-norm/encode.js';
import { runLpNorm } from './ops/lp-norm/run.js';
import { encodeGroupNorm, encodeInstanceNorm } from './ops/group-norm/encode.js';
import { runGroupNorm, runInstanceNorm } from './ops/group-norm/run.js';
import { encodeBatchNormInference, encodeBatchNormStats, encodeBatchNormTraining } from './ops/batch-norm/encode.js';
import { runBatchNormInference, runBatchNormStats, runBatchNormTraining } from './ops/batch-norm/run.js';
import { encodeOnnxNode } from './onnx/encode.js';
import { runOnnxNode } from './onnx/run.js';
import { onnxOutputInfo } from './onnx/output-info.js';
import { OPS, type OpFamily, type OpName } from './ops/table.js';

/** A kernel family's name: an op family of the table, or `'onnx'` (the ONNX-node entry points). */
type KernelFamily = OpFamily | 'onnx';

/**
 * One family of kernels for {@link createLeanNormalizer}: `rowNormKernels`, `lpNormKernels`,
 * `backwardKernels`, `groupNormKernels` or `batchNormKernels`. Opaque: pass it, don't call into it.
 *
 * @example
 * ```ts
 * import { createLeanNormalizer, rowNormKernels, type NormKernels } from 'webgpu-norm';
 * const kernels: NormKernels[] = [rowNormKernels];
 * const norm = await createLeanNormalizer({ device, kernels });
 * ```
 */
export interface NormKernels {
  /** The family, as the op table names it (`'row-norm'`, `'lp-norm'`, …), or `'onnx'`. */
  readonly family: KernelFamily;
}

/**
 * LayerNorm, RMSNorm and their fused residual-add forms (`layerNorm`, `rmsNorm`, `addLayerNorm`,
 * `addRmsNorm`, their `encode…` forms and `tune()`).
 *
 * @example
 * ```ts
 * const norm = await createLeanNormalizer({ device, kernels: [rowNormKernels] });
 * const { y } = await norm.layerNorm(x, { cols: 768 });
 * ```
 */
export const rowNormKernels: NormKernels = { family: 'row-norm', encode: encodeRowNorm, run: runRowNorm, tune: tuneRowNorm, probe: probeF16Unpack } as RowNorm;

/**
 * Lp normalization (`lpNorm`, `encodeLpNorm`).
 *
 * @example
 * ```ts
 * const norm = await createLeanNormalizer({ device, kernels: [lpNormKernels] });
 * ```
 */
export const lpNormKernels: NormKernels = { family: 'lp-norm', encode: encodeLpNorm, run: runLpNorm } as LpNorm;

/**
 * LayerNorm and RMSNorm backward (`layerNormBackward`, `rmsNormBackward` and their `encode…` forms).
 *
 * @example
 * ```ts
 * const norm = await createLeanNormalizer({ device, kernels: [rowNormKernels, backwardKernels] });
 * ```
 */
export const backwardKernels: NormKernels = { family: 'backward', encode: encodeNormBackward, run: runNormBackward, probe: probeF16Unpack } as Backward;

/**
 * GroupNorm and InstanceNorm (`groupNorm`, `instanceNorm` and their `encode…` forms).
 *
 * @example
 * ```ts
 * const norm = await createLeanNormalizer({ device, kernels: [groupNormKernels] });
 * ```
 */
export const groupNormKernels: NormKernels = {
  family: 'group-norm',
  encodeGroupNorm,
  encodeInstanceNorm,
  runGroupNorm,
  runInstanceNorm,
  probe: probeF16Unpack,
} as GroupNorm;

/**
 * BatchNorm (`batchNormInference`, `batchNormStats`, `batchNormTraining` and their `encode…` forms).
 *
 * @example
 * ```ts
 * const norm = await createLeanNormalizer({ device, kernels: [batchNormKernels] });
 * ```
 */
export const batchNormKernels: NormKernels = {
  family: 'batch-norm',
  encodeInference: encodeBatchNormInference,
  encodeStats: encodeBatchNormStats,
  runInference: runBatchNormInference,
  runStats: runBatchNormStats,
  encodeTraining: encodeBatchNormTraining,
  runTraining: runBatchNormTraining,
  probe: probeF16Unpack,
} as BatchNorm;

/**
 * The ONNX-node entry points (`runOnnxNode`, `encodeOnnxNode`, `onnxOutputInfo`). A node may map
 * onto any family, so this object brings every family's kernels with it.
 *
 * @example
 * ```ts
 * const norm = await createLeanNormalizer({ device, kernels: [onnxKernels] });
 * norm.encodeOnnxNode(encoder, node);
 * ```
 */
export const onnxKernels: NormKernels = { family: 'onnx', encode: encodeOnnxNode, run: runOnnxNode, outputInfo: onnxOutputInfo, probe: probeF16Unpack } as Onnx;

/*
 * What each family's object holds (the normalizer calls these; the public type stays opaque, so
 * the functions' internal types are no part of the API).
 */
/**
 * What a family's kernels need to know about a device that only running a kernel tells: run once
 * per device when a normalizer is created (src/core/f16-probe.ts): the families whose packed-f16
 * kernels use it (row norms, and so ONNX; GroupNorm, BatchNorm, the backward passes).
 */
interface Probed {
  readonly probe: typeof probeF16Unpack;
}
interface RowNorm extends NormKernels, Probed {
  readonly encode: typeof encodeRowNorm;
  readonly run: typeof runRowNorm;
  readonly tune: typeof tuneRowNorm;
}
interface LpNorm extends NormKernels {
  readonly encode: typeof encodeLpNorm;
  readonly run: typeof runLpNorm;
}
interface Backward extends NormKernels, Probed {
  readonly encode: typeof encodeNormBackward;
  readonly run: typeof runNormBackward;
}
interface GroupNorm extends NormKernels, Probed {
  readonly encodeGroupNorm: typeof encodeGroupNorm;
  readonly encodeInstanceNorm: typeof encodeInstanceNorm;
  readonly runGroupNorm: typeof runGroupNorm;
  readonly runInstanceNorm: typeof runInstanceNorm;
}
interface BatchNorm extends NormKernels, Probed {
  readonly encodeInference: typeof encodeBatchNormInference;
  readonly encodeStats: typeof encodeBatchNormStats;
  readonly runInference: typeof runBatchNormInference;
  readonly runStats: typeof runBatchNormStats;
  readonly encodeTraining: typeof encodeBatchNormTraining;
  readonly runTraining: typeof runBatchNormTraining;
}
interface Onnx extends NormKernels, Probed {
  readonly encode: typeof encodeOnnxNode;
  readonly run: typeof runOnnxNode;
  readonly outputInfo: typeof onnxOutputInfo;
}
interface KernelsOf {
  'row-norm': RowNorm;
  'lp-norm': LpNorm;
  backward: Backward;
  'group-norm': GroupNorm;
  'batch-norm': BatchNorm;
}

/** The exported name of each family's object, for messages that say what to import. */
const EXPORT_NAME: Record<KernelFamily, string> = {
  'row-norm': 'rowNormKernels',
  'lp-norm': 'lpNormKernels',
  backward: 'backwardKernels',
  'group-norm': 'groupNormKernels',
  'batch-norm': 'batchNormKernels',
  onnx: 'onnxKernels',
};

/**
 * The families a normalizer was given, checked: each must be one of the exported objects.
 * `lookup(op)` returns the op's family or throws `NormError('op-not-loaded')` naming what to import.
 */
export class LoadedKernels {
  private readonly byFamily = new Map<KernelFamily, NormKernels>();

  constructor(kernels: unknown) {
    if (!Array.isArray(kernels)) {
      throw new NormError('invalid-argument', `expected an array of kernel families such as [rowNormKernels], got ${typeof kernels}`, 'kernels');
    }
    kernels.forEach((k: unknown, i) => {
      const family = (k as NormKernels | null)?.family;
      if (typeof k !== 'object' || k === null || typeof family !== 'string' || !(family in EXPORT_NAME)) {
        throw new NormError('invalid-argument', `expected one of ${Object.values(EXPORT_NAME).join(', ')}, got ${k === null ? 'null' : typeof k}`, `kernels[${i}]`);
      }
      this.byFamily.set(family, k as NormKernels);
    });
  }

  /** What the loaded families' probes find about `device` (each probe once; none: nothing). */
  async probe(device: GPUDevice): Promise<DeviceFacts> {
    const probes = new Set([...this.byFamily.values()].map((k) => (k as Partial<Probed>).probe).filter((p) => p !== undefined));
    const found = await Promise.all([...probes].map((p) => p(device)));
    return Object.assign({}, ...found) as DeviceFacts;
  }

  /** The families loaded, in table order. */
  families(): KernelFamily[] {
    return (Object.keys(EXPORT_NAME) as KernelFamily[]).filter((f) => this.byFamily.has(f));
  }

  /** `op`'s family's kernels; a NormError('op-not-loaded') naming the object to import when it was not given. */
  lookup<K extends OpName>(op: K, argument: string = op): KernelsOf[(typeof OPS)[K]['family']] {
    const family = OPS[op].family;
    const k = this.byFamily.get(family);
    if (!k) {
      const name = EXPORT_NAME[family];
      throw new NormError(
        'op-not-loaded',
        `this normalizer was created without the ${family} kernels that ${op} needs; import { ${name} } from 'webgpu-norm' and pass it in createLeanNormalizer({ kernels: [..., ${name}] }) (or use createNormalizer, which loads every family)`,
        argument,
      );
    }
    return k as KernelsOf[(typeof OPS)[K]['family']];
  }

  /** The ONNX entry points; a NormError('op-not-loaded') naming `onnxKernels` when they were not given. */
  onnx(method: string): Onnx {
    const k = this.byFamily.get('onnx');
    if (!k) {
      throw new NormError(
        'op-not-loaded',
        `this normalizer was created without the ONNX entry points that ${method} needs; import { onnxKernels } from 'webgpu-norm' and pass it in createLeanNormalizer({ kernels: [..., onnxKernels] }) (or use createNormalizer, which loads every family)`,
        method,
      );
    }
    return k as Onnx;
  }
}
