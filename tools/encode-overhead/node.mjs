/**
 * The encode-overhead measurement (measure.mjs) on Dawn in Node, for the ICD in VK_ICD_FILENAMES.
 *   npm run build
 *   VK_ICD_FILENAMES=/usr/share/vulkan/icd.d/lvp_icd.json node tools/encode-overhead/node.mjs [rows] [other-dist ...]
 * Each other-dist (a copy of dist/ built from other code) is measured beside this checkout's, interleaved.
 */
import { create, globals } from 'webgpu';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { format, measure } from './measure.mjs';

Object.assign(globalThis, globals);
// Kept in a global: Dawn is torn down when this object is collected (docs/software-drivers.md).
globalThis.__encodeOverheadGpu = create([]);
const adapter = await globalThis.__encodeOverheadGpu.requestAdapter();
const device = await adapter.requestDevice({ requiredFeatures: ['subgroups'].filter((f) => adapter.features.has(f)) });
const [rowsArg, ...others] = process.argv.slice(2);
const libs = { lib: await import(new URL('../../dist/index.js', import.meta.url).href) };
for (const d of others) libs[d] = await import(pathToFileURL(resolve(d, 'index.js')).href);
const rows = Number(rowsArg ?? 1);
const results = await measure(device, libs, { rows });
for (const line of format(results, `${adapter.info.description || adapter.info.device} (Node, Dawn) · ${rows}×4096 f32`)) console.log(line);
device.destroy();
process.exit(0);
