/**
 * The selection rule against every tune() candidate, LayerNorm f32, one device, one run: prints a
 * markdown row per shape (the rule's choice, its median, the fastest and slowest candidates).
 * Dawn in Node with unquantized timestamps (as the benchmark). Run after `npm run build`:
 *   VK_ICD_FILENAMES=/usr/share/vulkan/icd.d/lvp_icd.json node tools/rule-vs-tune.mjs
 * Figures: docs/software-drivers.md.
 */
import { create, globals } from 'webgpu';
Object.assign(globalThis, globals);
const lib = await import(new URL('../dist/index.js', import.meta.url).href);
const gpu = create(['disable-dawn-features=timestamp_quantization']);
const { device, adapter } = await lib.requestNormDevice({ gpu });
const norm = await lib.createNormalizer({ device, adapterInfo: adapter.info, tuning: false, persistTuning: false });
console.log(adapter.info.description, JSON.stringify({ cpu: norm.profile.cpu, subgroupMinSize: norm.profile.subgroupMinSize }));
const shapes = [[1,768],[1,4096],[64,768],[128,768],[2048,768],[1,65536],[8,4096]];
for (const [rows, cols] of shapes) {
  const S = 0x80 | 0x08;
  const x = device.createBuffer({ size: rows * cols * 4, usage: S }), y = device.createBuffer({ size: rows * cols * 4, usage: S });
  const rule = lib.describeVariant(norm.encodeLayerNorm(device.createCommandEncoder(), { x, y, rows, cols }));
  x.destroy(); y.destroy();
  const r = await norm.tune('layerNorm', { rows, cols }, { repetitions: 9 });
  const sorted = [...r.candidates].sort((a, b) => a.ms - b.ms);
  const ruleMs = r.candidates.find((c) => c.label === rule)?.ms;
  console.log(`| ${rows}×${cols} | \`${rule}\` | ${ruleMs?.toFixed(3)} | \`${sorted[0].label}\` | ${sorted[0].ms.toFixed(3)} | ${(ruleMs / sorted[0].ms).toFixed(2)}× | \`${sorted.at(-1).label}\` (${sorted.at(-1).ms.toFixed(2)}) | ${r.timer} |`);
}
norm.destroy();
process.exit(0);
