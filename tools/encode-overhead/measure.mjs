/**
 * What recording one op costs the caller's thread: each form records LAYERS calls of one op into
 * one compute pass, as a decode step of a model does (one normalization per layer, each with its
 * own gamma/beta), STEPS times over, and the JavaScript time of those calls is divided by their
 * number. The GPU work is
 * submitted and awaited outside the timed part. `by hand` records the same number of dispatches
 * of a trivial kernel with as many bindings, from a pipeline and bind groups made beforehand: the
 * three native calls (setPipeline, setBindGroup, dispatchWorkgroups) that any encoder pays, and
 * the floor of what the library can cost. Runs in a Chromium page and in Node (run.ts, node.mjs).
 */
export const LAYERS = 64;
/** Decode steps recorded per timed pass: enough calls that a browser's coarse clock resolves them. */
export const STEPS = 8;

/**
 * Median µs per call of each form over `rounds` interleaved rounds, for `libs` (name → the
 * library's module) on `device`, at `rows` × `cols` f32.
 */
export async function measure(device, libs, { rows = 1, cols = 4096, rounds = 60 } = {}) {
  const U = GPUBufferUsage;
  const buffer = (bytes) => device.createBuffer({ size: bytes, usage: U.STORAGE | U.COPY_DST | U.COPY_SRC });
  const x = buffer(rows * cols * 4);
  const residual = buffer(rows * cols * 4);
  const y = buffer(rows * cols * 4);
  const sum = buffer(rows * cols * 4);
  const gammas = Array.from({ length: LAYERS }, () => buffer(cols * 4));
  const mean = buffer(rows * 4);
  const rstd = buffer(rows * 4);
  const dgamma = buffer(cols * 4);
  const dbeta = buffer(cols * 4);
  const betas = Array.from({ length: LAYERS }, () => buffer(cols * 4));
  const forms = [];
  for (const [name, lib] of Object.entries(libs)) {
    const norm = await lib.createNormalizer({ device, tuning: false, persistTuning: false });
    forms.push([`${name}: encodeLayerNorm`, (pass, l) => norm.encodeLayerNorm(pass, { x, y, gamma: gammas[l], beta: betas[l], rows, cols })]);
    forms.push([`${name}: encodeRmsNorm`, (pass, l) => norm.encodeRmsNorm(pass, { x, y, gamma: gammas[l], rows, cols })]);
    forms.push([`${name}: encodeAddRmsNorm`, (pass, l) => norm.encodeAddRmsNorm(pass, { x, residual, y, sum, gamma: gammas[l], rows, cols })]);
    // A training step's backward pass, per layer: dx, dgamma and dbeta.
    forms.push([`${name}: encodeLayerNormBackward`, (pass, l) => norm.encodeLayerNormBackward(pass, { dy: residual, x, dx: y, gamma: gammas[l], mean, rstd, dgamma, dbeta, rows, cols })]);
    // The image-like families (a UNet's GroupNorm, a CNN's BatchNorm) over the same bytes: 64 channels.
    // Literals, not spreads of a shared shape: a spread would be timed as the library's cost.
    const spatial = (rows * cols) / 64;
    forms.push([`${name}: encodeGroupNorm`, (pass, l) => norm.encodeGroupNorm(pass, { batch: 1, channels: 64, spatial, layout: 'NCHW', groups: 32, x, y, gamma: gammas[l], beta: betas[l] })]);
    forms.push([`${name}: encodeBatchNormInference`, (pass, l) => norm.encodeBatchNormInference(pass, { batch: 1, channels: 64, spatial, layout: 'NCHW', x, y, runningMean: gammas[l], runningVar: betas[l] })]);
    // A runtime's node loop: the same LayerNorm as an ONNX node.
    const tensor = (buffer, dims) => ({ buffer, dims, type: 'float32' });
    forms.push([
      `${name}: encodeOnnxNode (LayerNorm)`,
      (pass, l) =>
        norm.encodeOnnxNode(pass, {
          opType: 'LayerNormalization',
          domain: '',
          opset: 17,
          attributes: { axis: -1 },
          inputs: [tensor(x, [rows, cols]), tensor(gammas[l], [cols]), tensor(betas[l], [cols])],
          outputCount: 1,
          outputs: [tensor(y, [rows, cols])],
        }),
    ]);
    // onnxruntime's fused residual + LayerNorm, with its input_skip_bias_sum output.
    forms.push([
      `${name}: encodeOnnxNode (SkipLayerNorm)`,
      (pass, l) =>
        norm.encodeOnnxNode(pass, {
          opType: 'SkipLayerNormalization',
          domain: 'com.microsoft',
          opset: 1,
          attributes: { epsilon: 1e-5 },
          inputs: [tensor(x, [1, rows, cols]), tensor(residual, [1, rows, cols]), tensor(gammas[l], [cols]), tensor(betas[l], [cols])],
          outputCount: 4,
          outputs: [tensor(y, [1, rows, cols]), null, null, tensor(sum, [1, rows, cols])],
        }),
    ]);
  }
  const module = device.createShaderModule({
    code: `@group(0) @binding(0) var<uniform> shape: vec4<u32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<storage, read> gamma: array<f32>;
@group(0) @binding(4) var<storage, read> beta: array<f32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) i: vec3<u32>) {
  if (i.x < shape.x) { y[i.x] = x[i.x] * gamma[i.x] + beta[i.x]; }
}`,
  });
  const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
  const shape = device.createBuffer({ size: 16, usage: U.UNIFORM | U.COPY_DST });
  device.queue.writeBuffer(shape, 0, new Uint32Array([rows * cols, 0, 0, 0]));
  const groups = gammas.map((g, l) =>
    device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [shape, x, y, g, betas[l]].map((b, i) => ({ binding: i, resource: { buffer: b } })) }),
  );
  const grid = Math.ceil((rows * cols) / 64);
  forms.push([
    'by hand',
    (pass, l) => {
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, groups[l]);
      pass.dispatchWorkgroups(grid);
    },
  ]);

  async function step(record) {
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    const t0 = performance.now();
    for (let s = 0; s < STEPS; s++) for (let l = 0; l < LAYERS; l++) record(pass, l);
    const t = performance.now() - t0;
    pass.end();
    device.queue.submit([encoder.finish()]);
    await device.queue.onSubmittedWorkDone();
    return (t / (LAYERS * STEPS)) * 1000;
  }
  // Warm-up: pipelines compiled, caches filled, the JIT settled.
  for (const [, record] of forms) for (let i = 0; i < 10; i++) await step(record);
  const times = forms.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < forms.length; k++) {
      const i = (k + r) % forms.length;
      times[i].push(await step(forms[i][1]));
    }
  }
  const median = (a) => [...a].sort((p, q) => p - q)[a.length >> 1];
  const hand = median(times[forms.length - 1]);
  return forms.map(([name], i) => ({ name, us: median(times[i]), ratio: median(times[i]) / hand }));
}

/** The result as text lines. */
export function format(results, what) {
  return [`${what} · µs of JavaScript per recorded call (median), and × by hand`, ...results.map((r) => `${r.name.padEnd(38)} ${r.us.toFixed(1).padStart(7)} µs ${r.ratio.toFixed(2).padStart(6)}×`)];
}
