/**
 * The demo page: finds WebGPU (or explains why not), then mounts each panel. Panels run one after
 * another — they share one device, and on a CPU adapter concurrent work only slows each down.
 * `?nogpu` hides navigator.gpu to show the degraded page.
 */
import { createNormalizer, NormError, type Normalizer } from '../dist/index.js';
import { mountAdapterPanel } from './adapter-panel.js';
import { mountBenchPanel } from './bench-panel.js';
import { byId, el, section, status } from './dom.js';
import { applyNoGpuParam, detectWebGpu, noWebGpuMessage, type NoWebGpuReason } from './gpu-availability.js';
import { mountLayerNormSteps } from './layer-norm-steps.js';
import { mountNormComparison } from './norm-comparison.js';
import { mountPrePostLn } from './pre-post-ln.js';
import { codeDetails } from './code-view.js';
import mainSource from './main.ts?raw';
import adapterSource from './adapter-panel.ts?raw';
import stepsSource from './layer-norm-steps.ts?raw';
import compareSource from './norm-comparison.ts?raw';
import prepostSource from './pre-post-ln.ts?raw';
import benchSource from './bench-panel.ts?raw';

async function start(): Promise<void> {
  applyNoGpuParam(location.search);
  let norm: Normalizer | null = null;
  let reason: NoWebGpuReason | null = detectWebGpu(window);
  let detail: string | undefined;
  if (!reason) {
    try {
      // #region library-code
      norm = await createNormalizer();
      // #endregion
      norm.device.addEventListener('uncapturederror', (e) => console.error(`WebGPU: ${(e as GPUUncapturedErrorEvent).error.message}`));
    } catch (e) {
      reason = e instanceof NormError && /requestAdapter/.test(e.message) ? 'no-adapter' : 'device-failed';
      detail = e instanceof Error ? e.message : String(e);
    }
  }
  const banner = byId('webgpu-status');
  if (norm) {
    banner.className = 'banner ok';
    banner.textContent = `WebGPU is on: ${norm.device.adapterInfo.vendor || 'unknown vendor'} ${norm.device.adapterInfo.architecture || ''}`.trim();
    mountAdapterPanel(byId('adapter'), norm);
  } else {
    const message = noWebGpuMessage(reason!, location.href, detail);
    banner.className = 'banner warn';
    banner.id = 'webgpu-status';
    banner.textContent = message;
    byId('adapter').append(el('p', { class: 'muted' }, 'No adapter: see the message above.'));
  }
  status.webgpu = norm ? 'available' : `unavailable: ${reason}`;

  // Under each section, the lines of its panel that call the library, verbatim.
  byId('adapter').after(codeDetails([mainSource, 'demo/main.ts'], [adapterSource, 'demo/adapter-panel.ts']));
  byId('steps').after(codeDetails([stepsSource, 'demo/layer-norm-steps.ts']));
  byId('compare').after(codeDetails([compareSource, 'demo/norm-comparison.ts']));
  byId('prepost').after(codeDetails([prepostSource, 'demo/pre-post-ln.ts']));
  byId('bench').after(codeDetails([benchSource, 'demo/bench-panel.ts']));

  await section('steps', byId('steps'), () => mountLayerNormSteps(byId('steps'), norm).ready);
  await section('compare', byId('compare'), () => mountNormComparison(byId('compare'), norm));
  await section('prepost', byId('prepost'), () => mountPrePostLn(byId('prepost'), norm));
  await section('bench', byId('bench'), () => mountBenchPanel(byId('bench'), norm ? navigator.gpu : null, norm ? null : noWebGpuMessage(reason!, location.href, detail)));
  status.all = 'done';
}

void start();
