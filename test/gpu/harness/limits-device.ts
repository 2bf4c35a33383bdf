/**
 * A device that claims small limits, for the limits property (limits-fuzz.ts). WebGPU ignores a
 * `requiredLimits` value below the default (the device gets the default: 128 MiB bindings,
 * 256 MiB buffers), so a real device cannot be made small; instead this proxy reports lowered
 * `maxStorageBufferBindingSize` / `maxBufferSize` to the library and audits every object it creates
 * against them: a buffer larger than the claimed `maxBufferSize`, or a bound range larger than the
 * claimed `maxStorageBufferBindingSize`, is exactly what a device with those limits would refuse
 * with a validation error, so it is recorded as a violation. It also counts every object created
 * and every queue write or submit, so a refused call can be shown to have touched nothing.
 * Browser-agnostic: it wraps whatever GPUDevice it is given (Chromium's, or Dawn's in Node).
 */

/** The limits the proxy claims. */
export interface ClaimedLimits {
  readonly maxStorageBufferBindingSize: number;
  readonly maxBufferSize: number;
}

/** What the proxy saw. */
export interface DeviceAudit {
  /** Objects created (`create*`) plus queue writes and submits, through the proxy. */
  touched: number;
  /** Sizes past the claimed limits: what a device with those limits would refuse. */
  readonly violations: string[];
}

const STORAGE = 0x80;

/** A buffer binding's size: `size`, else the rest of the buffer past `offset`. */
function boundSize(resource: unknown): { size: number; storage: boolean } | null {
  const r = resource as { buffer?: GPUBuffer; offset?: number; size?: number } & Partial<GPUBuffer>;
  if (r && r.buffer && typeof r.buffer.size === 'number') return { size: r.size ?? r.buffer.size - (r.offset ?? 0), storage: (r.buffer.usage & STORAGE) !== 0 };
  if (r && typeof r.size === 'number' && typeof r.usage === 'number') return { size: r.size, storage: (r.usage & STORAGE) !== 0 };
  return null;
}

/** Binds `fn` to `target`: native WebGPU methods refuse a proxy as `this`. */
function bound(target: object, key: PropertyKey): unknown {
  const v = Reflect.get(target, key, target) as unknown;
  return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
}

/**
 * `real` seen through lowered limits, with an audit of what is created on it.
 *
 * @example
 * ```ts
 * const { device, audit } = limitedDevice(norm.device, { maxStorageBufferBindingSize: 1 << 20, maxBufferSize: 3 << 19 });
 * const small = await createNormalizer({ device, tuning: false, persistTuning: false });
 * ```
 */
export function limitedDevice(real: GPUDevice, claimed: ClaimedLimits): { device: GPUDevice; audit: DeviceAudit } {
  const audit: DeviceAudit = { touched: 0, violations: [] };
  const limits: Record<string, number> = {};
  for (const k in real.limits) limits[k] = (real.limits as unknown as Record<string, number>)[k]!;
  Object.assign(limits, claimed);
  const queue = new Proxy(real.queue, {
    get(t, k) {
      if (k === 'writeBuffer' || k === 'submit' || k === 'writeTexture') {
        return (...a: unknown[]) => {
          audit.touched++;
          return (t[k] as (...b: unknown[]) => unknown).apply(t, a);
        };
      }
      return bound(t, k);
    },
  });
  const device = new Proxy(real, {
    get(t, k) {
      if (k === 'limits') return limits;
      if (k === 'queue') return queue;
      if (typeof k === 'string' && k.startsWith('create')) {
        return (...a: unknown[]) => {
          audit.touched++;
          if (k === 'createBuffer') {
            const size = (a[0] as GPUBufferDescriptor).size;
            if (size > claimed.maxBufferSize) audit.violations.push(`createBuffer of ${size} bytes > maxBufferSize ${claimed.maxBufferSize}`);
          }
          if (k === 'createBindGroup') {
            for (const e of (a[0] as GPUBindGroupDescriptor).entries) {
              const b = boundSize(e.resource);
              if (b?.storage && b.size > claimed.maxStorageBufferBindingSize) audit.violations.push(`binding ${e.binding} of ${b.size} bytes > maxStorageBufferBindingSize ${claimed.maxStorageBufferBindingSize}`);
            }
          }
          return (t[k as keyof GPUDevice] as unknown as (...b: unknown[]) => unknown).apply(t, a);
        };
      }
      return bound(t, k);
    },
  });
  return { device, audit };
}

/**
 * An encoder or pass whose every method call counts as touching the device (a refused encode must
 * record nothing into the caller's encoder).
 *
 * @example
 * ```ts
 * norm.encodeLayerNorm(countingTarget(encoder, audit), options);
 * ```
 */
export function countingTarget<T extends object>(target: T, audit: DeviceAudit): T {
  return new Proxy(target, {
    get(t, k) {
      const v = Reflect.get(t, k, t) as unknown;
      if (typeof v !== 'function') return v;
      return (...a: unknown[]) => {
        audit.touched++;
        return (v as (...b: unknown[]) => unknown).apply(t, a);
      };
    },
  });
}
