/**
 * Autotuning in the browser: candidates are timed with timestamp queries, the winner (the rule's
 * variant unless a candidate beats it round for round by TUNE_MARGIN) is used for the shape's
 * bucket afterwards, the table exports and a fresh normalizer uses every imported entry instead of
 * its rule, and tuned kernels stay exact.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { RowNormVariant } from '../../dist/index.js';
import { openHarness, type HarnessPage } from './page.js';

let h: HarnessPage;
beforeAll(async () => {
  h = await openHarness();
});
afterAll(async () => {
  expect(h.errors).toEqual([]);
  await h.close();
});

test('tune() times every candidate, keeps the rule unless one beats it round for round, and encode uses the winner for the bucket', async () => {
  const r = await h.run(async (harness) => {
    const base = await harness.normalizer();
    const { createNormalizer, cpu, describeVariant, TUNE_MARGIN } = harness.lib;
    const norm = await createNormalizer({ device: base.device, tuning: false, persistTuning: false });
    const tuned = await norm.tune('layerNorm', { rows: 48, cols: 256 }, { repetitions: 3 });
    const d = norm.device;
    const x = new Float32Array(40 * 200).map((_, i) => Math.sin(i) + 50);
    const xb = d.createBuffer({ size: x.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    const yb = d.createBuffer({ size: x.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
    const rb = d.createBuffer({ size: x.byteLength, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    d.queue.writeBuffer(xb, 0, x);
    const enc = d.createCommandEncoder();
    // 40x200 falls in the same bucket as 48x256 (64x256, vec4).
    const used = norm.encodeLayerNorm(enc, { x: xb, y: yb, rows: 40, cols: 200 });
    enc.copyBufferToBuffer(yb, 0, rb, 0, x.byteLength);
    d.queue.submit([enc.finish()]);
    await rb.mapAsync(GPUMapMode.READ);
    const y = new Float32Array(rb.getMappedRange().slice(0));
    rb.unmap();
    const ref = cpu.layerNormF64(x, { cols: 200 });
    let maxErr = 0;
    for (let i = 0; i < y.length; i++) maxErr = Math.max(maxErr, Math.abs(y[i]! - ref.y[i]!));
    const exported = norm.exportTuning();
    const [key = ''] = Object.keys(exported.entries);
    // What a fresh normalizer without tuning picks for 40x200 (its rule), per op.
    const pick = (n: typeof norm, op: 'layerNorm' | 'rmsNorm') =>
      describeVariant((op === 'layerNorm' ? n.encodeLayerNorm : n.encodeRmsNorm).call(n, d.createCommandEncoder(), { x: xb, y: yb, rows: 40, cols: 200 }));
    const fresh = () => createNormalizer({ device: base.device, tuning: false, persistTuning: false });
    const ruleNorm = await fresh();
    const rule = { layerNorm: pick(ruleNorm, 'layerNorm'), rmsNorm: pick(ruleNorm, 'rmsNorm') };
    // The exported table, imported into a fresh normalizer: the tuned winner for the bucket.
    const roundTrip = await fresh();
    roundTrip.importTuning(exported);
    const after = pick(roundTrip, 'layerNorm');
    // The winner may happen to be the rule's pick, which a no-op import would also give; so also
    // import a table of two entries (LayerNorm's bucket and RMSNorm's) that each name a candidate
    // the rule does not pick: both must be used.
    const other = (ruleLabel: string) => tuned.candidates.find((c: { variant: RowNormVariant }) => describeVariant(c.variant) !== ruleLabel)!.variant;
    const forced = { layerNorm: other(rule.layerNorm), rmsNorm: other(rule.rmsNorm) };
    const forcedNorm = await fresh();
    forcedNorm.importTuning({
      version: 1,
      entries: { [key]: { ...forced.layerNorm, ms: 1 }, [key.replace('|layerNorm|', '|rmsNorm|')]: { ...forced.rmsNorm, ms: 1 } },
    });
    const imported = { layerNorm: pick(forcedNorm, 'layerNorm'), rmsNorm: pick(forcedNorm, 'rmsNorm') };
    for (const b of [xb, yb, rb]) b.destroy();
    for (const n of [norm, ruleNorm, roundTrip, forcedNorm]) n.destroy();
    return {
      timer: tuned.timer,
      times: tuned.candidates.map((c: { ms: number }) => c.ms),
      labels: tuned.candidates.map((c: { label: string }) => c.label),
      best: describeVariant(tuned.variant),
      bestVsRule: tuned.candidates.find((c: { variant: RowNormVariant }) => describeVariant(c.variant) === describeVariant(tuned.variant))!.vsRule,
      lowestVsRule: Math.min(...tuned.candidates.map((c: { vsRule: number }) => c.vsRule)),
      margin: TUNE_MARGIN,
      used: describeVariant(used),
      keys: Object.keys(exported.entries),
      maxErr,
      exportedEntry: describeVariant(exported.entries[key]!),
      rule,
      after,
      forced: { layerNorm: describeVariant(forced.layerNorm), rmsNorm: describeVariant(forced.rmsNorm) },
      imported,
    };
  });
  expect(r.timer).toBe('timestamp-query');
  expect(r.labels.length).toBeGreaterThanOrEqual(6);
  expect(new Set(r.labels).size).toBe(r.labels.length);
  expect([...r.times].sort((a, b) => a - b)).toEqual(r.times);
  expect(r.times.every((t: number) => t > 0)).toBe(true);
  expect(r.used).toBe(r.best);
  // The winner: the candidate with the lowest per-round ratio to the rule's time if it is below
  // 1 − TUNE_MARGIN, else the rule's variant (its own ratio is 1).
  expect(r.margin).toBe(0.03);
  if (r.lowestVsRule < 1 - r.margin) expect(r.bestVsRule).toBe(r.lowestVsRule);
  else expect(r.bestVsRule).toBe(1);
  expect(r.keys).toEqual([expect.stringMatching(/\|layerNorm\|f32\|64x256v$/)]);
  expect(r.maxErr).toBeLessThan(1e-4);
  expect(r.exportedEntry).toBe(r.best);
  expect(r.after).toBe(r.best);
  // The forced entries differ from the rule's picks, so only an import that applies every entry
  // makes the fresh normalizer use them.
  expect(r.forced.layerNorm).not.toBe(r.rule.layerNorm);
  expect(r.forced.rmsNorm).not.toBe(r.rule.rmsNorm);
  expect(r.imported).toEqual(r.forced);
  console.log(`tuning: winner ${r.best}, rule ${r.rule.layerNorm} (layerNorm) / ${r.rule.rmsNorm} (rmsNorm)`);
});
