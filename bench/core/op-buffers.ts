/**
 * The GPU buffers one benchmark op instance creates: inputs written once, outputs to read back,
 * all destroyed together.
 */

export interface OpBuffers {
  /** A STORAGE | COPY_DST buffer holding `data` (an odd-length f16 tensor padded to 4 bytes). */
  input(data: Float32Array | Uint16Array, label: string): GPUBuffer;
  /** A STORAGE | COPY_SRC buffer of `bytes`. */
  output(bytes: number, label: string): GPUBuffer;
  /** Destroys every buffer made here. */
  destroy(): void;
}

/**
 * @example
 * ```ts
 * const buffers = opBuffers(device);
 * const x = buffers.input(data, 'x');
 * const y = buffers.output(data.byteLength, 'y');
 * // ...
 * buffers.destroy();
 * ```
 */
export function opBuffers(device: GPUDevice): OpBuffers {
  const owned: GPUBuffer[] = [];
  const make = (size: number, usage: number, label: string) => {
    const b = device.createBuffer({ label: `bench ${label}`, size, usage });
    owned.push(b);
    return b;
  };
  return {
    input(data, label) {
      const size = Math.ceil(data.byteLength / 4) * 4;
      const b = make(size, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST, label);
      const bytes = new Uint8Array(size);
      bytes.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      device.queue.writeBuffer(b, 0, bytes);
      return b;
    },
    output: (bytes, label) => make(Math.ceil(bytes / 4) * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC, label),
    destroy: () => owned.splice(0).forEach((b) => b.destroy()),
  };
}
