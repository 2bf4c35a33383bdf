/**
 * A 2-layer MLP with LayerNorm trained on a toy regression task, run in the page twice with the
 * same initialization and data: once with the GPU LayerNorm forward/backward (`norm.layerNorm`,
 * `norm.layerNormBackward`), once with the float64 CPU reference (`cpu.layerNorm`,
 * `cpu.layerNormBackward`, outputs rounded to f32 like the GPU's). Everything else (matmuls, ReLU,
 * MSE, SGD) is the same plain JavaScript in both runs, so the loss curves differ only by the
 * norm's rounding.
 *
 *   h = x·W1 + b1 → z = LayerNorm(h; γ, β) → a = relu(z) → p = a·W2 + b2,  loss = mean((p − t)²)
 */
import { cpu, type LayerNormBackwardResult, type LayerNormResult, type Normalizer } from '../../../dist/index.js';
import { normal, rng } from '../../shared/data.js';

interface NormImpl {
  forward(h: Float32Array, cols: number, gamma: Float32Array, beta: Float32Array): Promise<LayerNormResult>;
  backward(dz: Float32Array, h: Float32Array, o: { cols: number; gamma: Float32Array; mean: Float32Array; rstd: Float32Array }): Promise<LayerNormBackwardResult>;
}

/** c[m×n] = a[m×k] · b[k×n] (f32 storage, f64 accumulation: identical in both runs). */
function matmul(a: Float32Array, b: Float32Array, m: number, k: number, n: number, transA = false, transB = false): Float32Array {
  const c = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += (transA ? a[p * m + i]! : a[i * k + p]!) * (transB ? b[j * k + p]! : b[p * n + j]!);
      c[i * n + j] = s;
    }
  }
  return c;
}

async function train(impl: NormImpl, steps: number): Promise<number[]> {
  const B = 64;
  const D = 8;
  const H = 32;
  const lr = 0.05;
  const n = normal(rng(12345));
  const x = Float32Array.from({ length: B * D }, () => n());
  // Target: a smooth nonlinear function of the inputs.
  const t = Float32Array.from({ length: B }, (_, i) => Math.sin(x[i * D]! + 0.5 * x[i * D + 1]!) + 0.25 * x[i * D + 2]! * x[i * D + 3]!);
  const W1 = Float32Array.from({ length: D * H }, () => n() / Math.sqrt(D));
  const b1 = new Float32Array(H);
  const gamma = new Float32Array(H).fill(1);
  const beta = new Float32Array(H);
  const W2 = Float32Array.from({ length: H }, () => n() / Math.sqrt(H));
  let b2 = 0;
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    const h = matmul(x, W1, B, D, H);
    for (let i = 0; i < B * H; i++) h[i] = h[i]! + b1[i % H]!;
    const { y: z, mean, rstd } = await impl.forward(h, H, gamma, beta);
    const a = z.map((v) => Math.max(0, v));
    const p = matmul(a, W2, B, H, 1);
    let loss = 0;
    const dp = new Float32Array(B);
    for (let i = 0; i < B; i++) {
      const e = p[i]! + b2 - t[i]!;
      loss += e * e;
      dp[i] = (2 * e) / B;
    }
    losses.push(loss / B);
    const dW2 = matmul(a, dp, H, B, 1, true);
    const db2 = dp.reduce((s, v) => s + v, 0);
    const dz = matmul(dp, W2, B, 1, H, false, true);
    for (let i = 0; i < B * H; i++) if (!(z[i]! > 0)) dz[i] = 0;
    const { dx: dh, dgamma, dbeta } = await impl.backward(dz, h, { cols: H, gamma, mean, rstd });
    const dW1 = matmul(x, dh, D, B, H, true);
    const db1 = new Float32Array(H);
    for (let i = 0; i < B * H; i++) db1[i % H] = db1[i % H]! + dh[i]!;
    for (let i = 0; i < W1.length; i++) W1[i] = W1[i]! - lr * dW1[i]!;
    for (let j = 0; j < H; j++) {
      b1[j] = b1[j]! - lr * db1[j]!;
      gamma[j] = gamma[j]! - lr * dgamma[j]!;
      beta[j] = beta[j]! - lr * dbeta[j]!;
      W2[j] = W2[j]! - lr * dW2[j]!;
    }
    b2 -= lr * db2;
  }
  return losses;
}

/** Trains with the GPU norm and with the CPU reference norm; returns both loss curves. */
export async function trainMlp(norm: Normalizer, steps: number): Promise<{ gpu: number[]; cpu: number[] }> {
  const gpu = await train(
    {
      forward: (h, cols, gamma, beta) => norm.layerNorm(h, { cols, gamma, beta }),
      backward: (dz, h, o) => norm.layerNormBackward(dz, h, o),
    },
    steps,
  );
  const ref = await train(
    {
      forward: async (h, cols, gamma, beta) => cpu.layerNorm(h, { cols, gamma, beta }),
      backward: async (dz, h, o) => cpu.layerNormBackward(dz, h, o),
    },
    steps,
  );
  return { gpu, cpu: ref };
}
