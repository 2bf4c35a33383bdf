/**
 * The adapter this page runs on: vendor, architecture, the features the kernels care about
 * (subgroups → barrier-light reductions; shader-f16; timestamp-query → GPU timings and tune()),
 * whether the library sees it as a CPU adapter, and the variant it picks for a typical shape.
 */
import type { Normalizer } from '../dist/index.js';
// A namespace import: if a build lacks one of these (the API is still moving), the panel shows
// less instead of the whole page failing to load on a missing named export.
import * as lib from '../dist/index.js';
// The selection rule is internal (not exported by the package); the dev server serves src/.
import { selectVariant } from '../src/ops/row-norm/variant.js';
import { el, results } from './dom.js';

const FEATURES: readonly [GPUFeatureName, string][] = [
  ['subgroups', 'subgroup reductions (one barrier per reduction)'],
  ['shader-f16', 'native f16 in shaders (storage f16 works without it)'],
  ['timestamp-query', 'GPU timings for the charts, the benchmark and tune()'],
];

/**
 * Fills `host` with the adapter facts (or nothing when `norm` is null: the banner explains).
 *
 * @example
 * ```ts
 * mountAdapterPanel(document.getElementById('adapter')!, norm);
 * ```
 */
export function mountAdapterPanel(host: HTMLElement, norm: Normalizer): void {
  // #region library-code
  const info = norm.device.adapterInfo;
  const features = new Set([...norm.device.features]);
  const variant = lib.describeVariant(selectVariant(norm.profile, { rows: 128, cols: 768, dtype: 'f32' }));
  // #endregion
  results.adapter = { vendor: info.vendor, architecture: info.architecture, features: [...features].sort(), variant };
  const row = (k: string, v: Node | string) => el('tr', {}, el('th', {}, k), el('td', {}, v));
  host.append(
    el(
      'table',
      { class: 'facts' },
      row('vendor', info.vendor || '(not reported)'),
      row('architecture', info.architecture || '(not reported)'),
      row('device / description', [info.device, info.description].filter(Boolean).join(' — ') || '(not reported)'),
      row(
        'features',
        el(
          'ul',
          { class: 'features' },
          ...FEATURES.map(([f, why]) => el('li', { class: features.has(f) ? 'yes' : 'no', 'data-feature': f }, `${features.has(f) ? '✓' : '✗'} ${f}`, el('span', { class: 'muted' }, ` — ${why}`))),
        ),
      ),
      row('kind', norm.profile.cpu ? 'CPU adapter (software Vulkan/D3D): whole rows per invocation (four from 128 rows), no barriers' : 'GPU: teams of invocations per row'),
      row('kernel for 128×768 f32', el('span', {}, el('code', {}, variant), el('span', { class: 'muted' }, ' — workgroup size / invocations per row / vector width / reduction / chunks cached in registers / rows per invocation or segments per row, when not 1 (chosen by selectVariant; norm.tune() measures instead)'))),
    ),
  );
}
