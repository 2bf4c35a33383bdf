/** Records and environments for the benchmark's report tests (made up, not measured). */
import type { CaseRecord, EnvironmentInfo } from '../../bench/core/types.js';

const summary = (median: number) => ({ median, min: median * 0.9, max: median * 1.5, p10: median * 0.95, p90: median * 1.2, n: 30 });

export function record(overrides: Partial<CaseRecord> = {}): CaseRecord {
  const gpuMs = overrides.gpuMs ?? 0.5;
  const copyMs = overrides.copyMs ?? 0.25;
  const cpuMs = overrides.cpuMs ?? 2;
  const rereadMs = overrides.rereadMs ?? 0.4;
  return {
    op: 'layerNorm',
    rows: 128,
    cols: 768,
    dtype: 'f32',
    variant: 'wg64/t64/vec4/workgroup/reg0',
    reps: 30,
    bytes: 4 * (2 * 128 * 768 + 2 * 768 + 2 * 128),
    gpuMs,
    gpu: summary(gpuMs),
    copyMs,
    copy: summary(copyMs),
    copyVariant: 'wg256x4',
    copyBytes: 2 * 128 * 768 * 4,
    rereadMs,
    reread: summary(rereadMs),
    rereadVariant: 'wg16x256span',
    rereadBytes: 3 * 128 * 768 * 4,
    wallMs: 3.5,
    transferMs: 2.5,
    transfer: summary(2.5),
    transferBytes: 4 * (2 * 128 * 768 + 2 * 768 + 2 * 128),
    wallRatio: 3.5 / (2.5 + gpuMs),
    handMs: 2.8,
    handRatio: 3.5 / 2.8,
    cpuMs,
    encodeUs: 7.25,
    batches: { wall: 3, transfer: 4, cpu: 20, encode: 2000 },
    gbps: 1.58,
    copyGbps: 3.15,
    rooflineRatio: gpuMs / copyMs,
    rereadRatio: gpuMs / rereadMs,
    cpuSpeedup: cpuMs / gpuMs,
    maxAbsError: 4.768e-7,
    withinTolerance: true,
    timestampGranularityNs: 1,
    timestampsQuantized: false,
    zeroSamples: 0,
    ...overrides,
  };
}

export const environment: EnvironmentInfo = {
  runtime: 'chromium',
  userAgent: 'HeadlessChrome/156',
  adapter: { vendor: 'google', architecture: 'swiftshader', device: '0xc0de', description: 'SwiftShader Device (Subzero)' },
  adapterFeatures: ['subgroups', 'timestamp-query'],
  deviceFeatures: ['subgroups', 'timestamp-query'],
  limits: { maxStorageBufferBindingSize: 1 << 30 },
  gpuTiming: 'timestamp-query',
  timestampGranularityNs: 1,
  timestampsQuantized: false,
  jsTimerResolutionUs: 5,
};
