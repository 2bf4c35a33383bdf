/**
 * The transfer floor of a typed-array call: what moving its data costs on the same device with
 * no kernel at all. `writeBuffer` of each input, one copy of the outputs into a read-back buffer,
 * one `mapAsync`, each output copied out of the mapping, with the same bytes as the op and warm
 * buffers. The convenience form costs at least this plus its kernel; the benchmark reports both.
 * With `kernel`, the same transfer also records the op's kernel by hand (the `encode…` form into
 * the same encoder, before the copies): what a caller who manages the buffers pays, including the
 * wait for finished work that a dispatch adds (in Chromium on SwiftShader about 2 ms: see
 * docs/software-drivers.md), which GPU timestamps do not see.
 */
import type { BenchTensor } from './dtype.js';

/** What an op's typed-array form moves: its input arrays and its outputs' byte sizes. */
export interface TransferShape {
  readonly inputs: readonly BenchTensor[];
  readonly outputBytes: readonly number[];
}

/** A floor ready to time; `run()` is one transfer. */
export interface PreparedTransfer {
  /** Bytes written plus bytes read back. */
  readonly bytes: number;
  run(): Promise<void>;
  destroy(): void;
}

const align4 = (n: number) => Math.ceil(n / 4) * 4;

/**
 * @example
 * ```ts
 * const floor = prepareTransferFloor(device, { inputs: [x, gamma, beta], outputBytes: [x.byteLength, rows * 4, rows * 4] });
 * await floor.run();
 * floor.destroy();
 * const byHand = prepareTransferFloor(device, shape, (enc) => norm.encodeLayerNorm(enc, { x: xBuf, y: yBuf, rows, cols }));
 * ```
 */
export function prepareTransferFloor(device: GPUDevice, shape: TransferShape, kernel?: (encoder: GPUCommandEncoder) => void): PreparedTransfer {
  const owned: GPUBuffer[] = [];
  const make = (size: number, usage: number, label: string) => {
    const b = device.createBuffer({ label: `bench transfer ${label}`, size: align4(size), usage });
    owned.push(b);
    return b;
  };
  const inputs = shape.inputs.map((data, i) => ({ data, buffer: make(data.byteLength, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST, `in${i}`) }));
  const sizes = shape.outputBytes.map(align4);
  const outputs = sizes.map((n, i) => make(n, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC, `out${i}`));
  const total = sizes.reduce((s, n) => s + n, 0);
  const readback = make(total, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, 'readback');
  const padded = inputs.map(({ data }) => (data.byteLength % 4 === 0 ? data : padTo4(data)));
  return {
    bytes: shape.inputs.reduce((s, d) => s + d.byteLength, 0) + shape.outputBytes.reduce((s, n) => s + n, 0),
    async run() {
      inputs.forEach(({ buffer }, i) => {
        const d = padded[i]!;
        device.queue.writeBuffer(buffer, 0, d.buffer, d.byteOffset, d.byteLength);
      });
      const encoder = device.createCommandEncoder({ label: 'bench transfer floor' });
      kernel?.(encoder);
      let offset = 0;
      outputs.forEach((b, i) => {
        encoder.copyBufferToBuffer(b, 0, readback, offset, sizes[i]!);
        offset += sizes[i]!;
      });
      device.queue.submit([encoder.finish()]);
      await readback.mapAsync(GPUMapMode.READ);
      const all = readback.getMappedRange();
      offset = 0;
      // Kept until unmap, so the copies cannot be skipped.
      const out = sizes.map((n) => {
        const bytes = all.slice(offset, offset + n);
        offset += n;
        return bytes;
      });
      readback.unmap();
      if (out.length !== sizes.length) throw new Error('unreachable');
    },
    destroy: () => owned.splice(0).forEach((b) => b.destroy()),
  };
}

function padTo4(data: BenchTensor): Uint8Array {
  const out = new Uint8Array(align4(data.byteLength));
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return out;
}
