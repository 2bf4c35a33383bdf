/**
 * Whether this page can use WebGPU, and what to tell the reader when it cannot. The demo keeps
 * working without it (every CPU-side number is still computed); only the GPU columns, timings and
 * the benchmark are replaced by the message.
 */

/** Why WebGPU is unavailable, as found by {@link detectWebGpu} or by a failed `createNormalizer()`. */
export type NoWebGpuReason = 'insecure-context' | 'no-navigator-gpu' | 'no-adapter' | 'device-failed';

/**
 * The message shown when WebGPU is missing: what is wrong and what to do. Pure.
 *
 * @example
 * ```ts
 * noWebGpuMessage('insecure-context', 'http://example.com/demo/');
 * // 'WebGPU needs a secure context: …'
 * ```
 */
export function noWebGpuMessage(reason: NoWebGpuReason, href: string, detail?: string): string {
  const tail = ' The CPU columns below are still computed by the float64 reference; GPU results, timings and the benchmark need WebGPU.';
  switch (reason) {
    case 'insecure-context':
      return `WebGPU needs a secure context: this page was loaded from ${href}. Open it over https:// or from http://localhost / http://127.0.0.1 (never file://).` + tail;
    case 'no-navigator-gpu':
      return 'This browser does not expose WebGPU (navigator.gpu is missing). Use Chrome or Edge 113+, Safari 26+ or Firefox 141+; on Linux, Chrome needs --enable-unsafe-webgpu --enable-features=Vulkan.' + tail;
    case 'no-adapter':
      return 'WebGPU is present but found no usable GPU adapter (requestAdapter() returned null): the GPU or its driver may be blocklisted, or hardware acceleration is off.' + tail;
    case 'device-failed':
      return `WebGPU found an adapter but could not create a device${detail ? `: ${detail}` : ''}.` + tail;
  }
}

/**
 * The reason WebGPU cannot be used here, or null when `navigator.gpu` exists (an adapter may
 * still be missing: that shows when the normalizer is created).
 */
export function detectWebGpu(win: { isSecureContext: boolean; navigator: { gpu?: unknown } }): NoWebGpuReason | null {
  if (!win.isSecureContext) return 'insecure-context';
  if (!win.navigator.gpu) return 'no-navigator-gpu';
  return null;
}

/**
 * `?nogpu` in the URL hides `navigator.gpu` before anything reads it, so the degraded page can be
 * seen (and tested) on a machine that has WebGPU.
 */
export function applyNoGpuParam(search: string): boolean {
  if (!new URLSearchParams(search).has('nogpu')) return false;
  // `gpu` is a getter on Navigator.prototype; an own property on the instance shadows it.
  Object.defineProperty(navigator, 'gpu', { value: undefined, configurable: true });
  return true;
}
