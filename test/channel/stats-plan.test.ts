/**
 * The statistics plan, checked without a GPU: the index arithmetic of channel_partials.wgsl's
 * entry points (both layouts) and of channel_merge.wgsl is replayed in JavaScript (mirroring the
 * shaders line by line) for many shapes, and every element must be reduced exactly once, into a
 * partial of its own statistic only, every partial merged into exactly its statistic, and every
 * pivot be that statistic's first element. Then every entry point is recorded once on a fake
 * device: its bind group is built from the reflection of its own module, which refuses a missing
 * or an extra resource.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { planStats, selectStatsLayout, type StatsLayout, type StatsProblem } from '../../src/ops/channel/stats.js';
import { selectGroupNormLayout } from '../../src/ops/group-norm/fused.js';
import { applyKind, planApply, selectApplyLayout } from '../../src/ops/channel/apply.js';
import { createNormalizer } from '../../src/normalizer.js';
import { Usage } from '../../src/core/operands.js';
import { fakeDevice } from '../core/fake-device.js';

const LIMITS = { maxComputeInvocationsPerWorkgroup: 256, maxComputeWorkgroupSizeX: 256 };

/** The statistic element (n, c) belongs to. */
function statOf(p: StatsProblem, n: number, c: number): number {
  return p.per === 'group' ? n * p.groups + Math.floor(c / (p.channels / p.groups)) : c;
}

function coords(p: StatsProblem, e: number): { n: number; c: number; s: number } {
  const { channels: C, spatial: S } = p;
  if (p.layout === 'NCHW') return { n: Math.floor(e / (C * S)), c: Math.floor(e / S) % C, s: e % S };
  return { n: Math.floor(e / (S * C)), c: e % C, s: Math.floor(e / C) % S };
}

/** First element of a statistic in (n, c, s) order. */
function firstElement(p: StatsProblem, o: number): number {
  const { channels: C, spatial: S } = p;
  const at = (n: number, c: number) => (p.layout === 'NCHW' ? (n * C + c) * S : n * S * C + c);
  if (p.per === 'channel') return at(0, o);
  const cpg = C / p.groups;
  return at(Math.floor(o / p.groups), (o % p.groups) * cpg);
}

function simulate(p: StatsProblem, layout: StatsLayout) {
  const plan = planStats(p, LIMITS, layout);
  const u = plan.partialParams as Record<string, number>;
  const m = plan.mergeParams as Record<string, number>;
  const elements = p.batch * p.channels * p.spatial;
  const pivotOf = (q: number, sg: number, outer: number, inner: number) => Math.floor(q / sg) * outer + (q % sg) * inner;
  const visits = new Uint8Array(elements);
  // partial index -> { stat ids seen, pivot used, element count }
  const partials = new Map<number, { stats: Set<number>; pivot: number; count: number }>();
  const record = (index: number, e: number, pivot: number) => {
    let part = partials.get(index);
    if (!part) {
      part = { stats: new Set(), pivot, count: 0 };
      partials.set(index, part);
    }
    const { n, c } = coords(p, e);
    part.stats.add(statOf(p, n, c));
    part.count++;
    // Plain checks: this runs per element, and expect() is too slow for a million of them.
    if (part.pivot !== pivot) throw new Error(`partial ${index} uses pivots ${part.pivot} and ${pivot}`);
    if (e < 0 || e >= elements) throw new Error(`element ${e} out of range`);
    visits[e]!++;
  };
  expect(u.workgroups).toBe(plan.partialWorkgroups);
  // Invocation layout: one chunk per invocation; its local pivot (first element) must belong to
  // the chunk's statistic, and NHWC vector loads need channels % 4 === 0.
  if (plan.layout === 'invocation') {
    expect(plan.partialWorkgroups * plan.partialWorkgroupSize).toBeGreaterThanOrEqual(u.units!);
    expect(plan.mergeWorkgroups * plan.mergeWorkgroupSize).toBeGreaterThanOrEqual(plan.outputs);
    expect(plan.aligned).toBe(plan.entryPoint === 'partials_columns' && p.channels % 4 === 0);
  }
  for (let w = 0; w < u.units!; w++) {
    if (plan.entryPoint === 'partials_span') {
      const k = Math.floor(w / u.chunks!);
      const q = w - k * u.chunks!;
      const segment = k * u.segment_len!;
      const begin = segment + q * u.chunk!;
      const end = segment + Math.min((q + 1) * u.chunk!, u.segment_len!);
      if (!(begin < end)) throw new Error(`invocation ${w} has an empty chunk`);
      const pivot = pivotOf(k, u.stat_groups!, u.pivot_outer!, u.pivot_inner!);
      for (let e = begin; e < end; e++) record(w, e, pivot);
      continue;
    }
    if (plan.entryPoint === 'partials_columns') {
      const b = w % u.channel_blocks!;
      const np = Math.floor(w / u.channel_blocks!);
      const q = np % u.chunks!;
      const n = Math.floor(np / u.chunks!);
      const first = q * u.chunk!;
      const last = Math.min(first + u.chunk!, u.segment_len!);
      if (!(first < last)) throw new Error(`invocation ${w} has an empty chunk`);
      for (let i = 0; i < 4; i++) {
        const c = 4 * b + i;
        if (c >= u.channels!) continue;
        const pivot = pivotOf(n * u.stat_groups! + Math.floor(c / u.channels_per_stat!), u.stat_groups!, u.pivot_outer!, u.pivot_inner!);
        for (let r = first; r < last; r++) record(np * u.channels! + c, (n * u.segment_len! + r) * u.channels! + c, pivot);
      }
      continue;
    }
    if (w >= u.workgroups!) break;
    if (plan.entryPoint === 'partials_contiguous') {
      const k = Math.floor(w / u.chunks!);
      const q = w - k * u.chunks!;
      const segment = k * u.segment_len!;
      const begin = segment + q * u.chunk!;
      const end = segment + Math.min((q + 1) * u.chunk!, u.segment_len!);
      const pivot = pivotOf(k, u.stat_groups!, u.pivot_outer!, u.pivot_inner!);
      for (let e = begin; e < end; e++) record(w, e, pivot);
    } else {
      const lanes = plan.channelLanes;
      const b = w % u.channel_blocks!;
      const np = Math.floor(w / u.channel_blocks!);
      const q = np % u.chunks!;
      const n = Math.floor(np / u.chunks!);
      for (let lane = 0; lane < lanes; lane++) {
        const c = b * lanes + lane;
        if (c >= u.channels!) continue;
        const pivot = pivotOf(n * u.stat_groups! + Math.floor(c / u.channels_per_stat!), u.stat_groups!, u.pivot_outer!, u.pivot_inner!);
        const first = q * u.chunk!;
        const last = Math.min(first + u.chunk!, u.segment_len!);
        for (let r = first; r < last; r++) record(np * u.channels! + c, (n * u.segment_len! + r) * u.channels! + c, pivot);
      }
    }
  }
  return { plan, m, visits, partials, elements, pivotOf };
}

function check(p: StatsProblem, layout: StatsLayout = 'workgroup'): void {
  const { plan, m, visits, partials, elements, pivotOf } = simulate(p, layout);
  expect(visits.every((v) => v === 1), 'every element reduced exactly once').toBe(true);
  for (const [index, part] of partials) {
    expect(index).toBeLessThan(plan.partials);
    expect(part.stats.size, `partial ${index} mixes statistics`).toBe(1);
  }
  const outputs = p.per === 'group' ? p.batch * p.groups : p.channels;
  expect(m.outputs).toBe(outputs);
  const merged = new Set<number>();
  for (let o = 0; o < outputs; o++) {
    const base = Math.floor(o / m.stat_groups!) * m.base_outer! + (o % m.stat_groups!) * m.base_inner!;
    let count = 0;
    const pivot = pivotOf(o, m.stat_groups!, m.pivot_outer!, m.pivot_inner!);
    expect(pivot, `pivot of statistic ${o}`).toBe(firstElement(p, o));
    for (let i = 0; i < m.count_a!; i++) {
      for (let j = 0; j < m.count_b!; j++) {
        const idx = base + i * m.stride_a! + j * m.stride_b!;
        const part = partials.get(idx);
        if (!part) throw new Error(`statistic ${o} merges partial ${idx}, which pass 1 never wrote`);
        if (part.stats.size !== 1 || !part.stats.has(o)) throw new Error(`statistic ${o} merges partial ${idx} of statistics ${[...part.stats]}`);
        if (part.pivot !== pivot) throw new Error(`partial ${idx} was shifted by ${part.pivot}, its statistic by ${pivot}`);
        if (merged.has(idx)) throw new Error(`partial ${idx} merged twice`);
        merged.add(idx);
        count += part.count;
      }
    }
    expect(count, `elements of statistic ${o}`).toBe(elements / outputs);
  }
  expect(merged.size, 'every written partial is merged').toBe(partials.size);
}

describe('statistics plan', () => {
  const shapes: [string, StatsProblem][] = [
    ['UNet NCHW', { layout: 'NCHW', dtype: 'f32', batch: 1, channels: 320, spatial: 64 * 64, per: 'group', groups: 32 }],
    ['UNet NHWC', { layout: 'NHWC', dtype: 'f16', batch: 1, channels: 320, spatial: 64 * 64, per: 'group', groups: 32 }],
    ['odd, NHWC, BatchNorm', { layout: 'NHWC', dtype: 'f32', batch: 3, channels: 7, spatial: 49, per: 'channel', groups: 7 }],
    ['odd, NCHW, BatchNorm', { layout: 'NCHW', dtype: 'f32', batch: 3, channels: 7, spatial: 4099, per: 'channel', groups: 7 }],
    ['one element', { layout: 'NHWC', dtype: 'f32', batch: 1, channels: 1, spatial: 1, per: 'group', groups: 1 }],
  ];
  for (const [name, p] of shapes) {
    test(name, () => check(p));
    test(`${name}, invocation layout`, () => check(p, 'invocation'));
  }

  test('the invocation layout on CPU adapters, unless x is under 16 bytes', () => {
    expect(selectStatsLayout({ cpu: true }, { elements: 4, dtype: 'f32' })).toBe('invocation');
    expect(selectStatsLayout({ cpu: true }, { elements: 3, dtype: 'f32' })).toBe('workgroup');
    expect(selectStatsLayout({ cpu: true }, { elements: 7, dtype: 'f16' })).toBe('invocation');
    expect(selectStatsLayout({ cpu: true }, { elements: 6, dtype: 'f16' })).toBe('workgroup');
    expect(selectStatsLayout({ cpu: false }, { elements: 1 << 20, dtype: 'f32' })).toBe('workgroup');
  });

  test('GroupNorm: the fused layout on CPU adapters in NCHW with >= 8 groups (f16: even group length)', () => {
    const unet = { layout: 'NCHW', dtype: 'f32', batch: 1, groups: 32, groupSize: 40960, elements: 1310720 } as const;
    expect(selectGroupNormLayout({ cpu: true }, unet)).toBe('fused');
    expect(selectGroupNormLayout({ cpu: true }, { ...unet, dtype: 'f16' })).toBe('fused');
    expect(selectGroupNormLayout({ cpu: false }, unet)).toBe('workgroup');
    expect(selectGroupNormLayout({ cpu: true }, { ...unet, layout: 'NHWC' })).toBe('invocation');
    expect(selectGroupNormLayout({ cpu: true }, { ...unet, groups: 7 })).toBe('invocation');
    expect(selectGroupNormLayout({ cpu: true }, { ...unet, batch: 2, groups: 4 })).toBe('fused');
    expect(selectGroupNormLayout({ cpu: true }, { ...unet, groups: 8, groupSize: 49, elements: 392 })).toBe('fused');
    expect(selectGroupNormLayout({ cpu: true }, { ...unet, dtype: 'f16', groups: 8, groupSize: 49, elements: 392 })).toBe('invocation');
  });

  test('invocation layout: a UNet GroupNorm gets long spans, and enough of them', () => {
    const nchw = planStats({ layout: 'NCHW', dtype: 'f32', batch: 1, channels: 320, spatial: 64 * 64, per: 'group', groups: 32 }, LIMITS, 'invocation');
    expect(nchw.partialParams.chunk).toBe(4096);
    expect(nchw.partialParams.units).toBe(320);
    const nhwc = planStats({ layout: 'NHWC', dtype: 'f32', batch: 1, channels: 320, spatial: 64 * 64, per: 'group', groups: 32 }, LIMITS, 'invocation');
    expect(nhwc.partialParams.chunk! * 4).toBe(4096);
    expect(nhwc.partialParams.units).toBe(320);
    const small = planStats({ layout: 'NCHW', dtype: 'f32', batch: 1, channels: 4, spatial: 64 * 64, per: 'group', groups: 1 }, LIMITS, 'invocation');
    expect(small.partialParams.units).toBeGreaterThanOrEqual(64);
  });

  test('a UNet GroupNorm spreads over 160 pass-1 workgroups in either layout', () => {
    for (const layout of ['NCHW', 'NHWC'] as const) {
      const plan = planStats({ layout, dtype: 'f32', batch: 1, channels: 320, spatial: 64 * 64, per: 'group', groups: 32 }, LIMITS);
      expect(plan.partialWorkgroups, layout).toBe(160);
    }
    expect(planStats({ layout: 'NCHW', dtype: 'f32', batch: 1, channels: 320, spatial: 128 * 128, per: 'group', groups: 32 }, LIMITS).chunks).toBe(20);
  });

  test('big groups are split across workgroups', () => {
    const nchw = planStats({ layout: 'NCHW', dtype: 'f32', batch: 1, channels: 4, spatial: 512 * 512, per: 'group', groups: 1 }, LIMITS);
    expect(nchw.chunks).toBeGreaterThanOrEqual(64);
    const nhwc = planStats({ layout: 'NHWC', dtype: 'f32', batch: 1, channels: 4, spatial: 512 * 512, per: 'group', groups: 1 }, LIMITS);
    expect(nhwc.chunks).toBeGreaterThanOrEqual(64);
  });

  test('random shapes (property)', () => {
    fc.assert(
      fc.property(
        fc.record({
          layout: fc.constantFrom('NCHW' as const, 'NHWC' as const),
          per: fc.constantFrom('group' as const, 'channel' as const),
          batch: fc.integer({ min: 1, max: 3 }),
          groupsLog: fc.integer({ min: 0, max: 3 }),
          cpg: fc.integer({ min: 1, max: 12 }),
          // Small maps, and maps past one chunk (several chunks per statistic).
          spatial: fc.oneof(fc.integer({ min: 1, max: 70 }), fc.integer({ min: 2000, max: 9000 })),
        }),
        (r) => {
          const groups = 2 ** r.groupsLog;
          const p: StatsProblem = { layout: r.layout, dtype: 'f32', batch: r.batch, channels: groups * r.cpg, spatial: r.spatial, per: r.per, groups };
          check(p);
          check(p, 'invocation');
        },
      ),
      { numRuns: 60 },
    );
  }, 60_000);

  test('workgroup sizes stay within device limits', () => {
    const small = { maxComputeInvocationsPerWorkgroup: 64, maxComputeWorkgroupSizeX: 64 };
    for (const layout of ['NCHW', 'NHWC'] as const) {
      const plan = planStats({ layout, dtype: 'f32', batch: 1, channels: 320, spatial: 4096, per: 'group', groups: 32 }, small);
      expect(plan.partialWorkgroupSize).toBeLessThanOrEqual(64);
      expect(plan.mergeWorkgroupSize).toBeLessThanOrEqual(64);
    }
  });
});

describe('elementwise pass', () => {
  test('vec4 only when four lanes share a coefficient row or are consecutive channels', () => {
    expect(applyKind({ dtype: 'f32', layout: 'NCHW', spatial: 49, channels: 4 })).toBe('scalar');
    expect(applyKind({ dtype: 'f32', layout: 'NCHW', spatial: 64, channels: 3 })).toBe('vec4');
    expect(applyKind({ dtype: 'f32', layout: 'NHWC', spatial: 49, channels: 320 })).toBe('vec4');
    expect(applyKind({ dtype: 'f32', layout: 'NHWC', spatial: 64, channels: 6 })).toBe('scalar');
    expect(applyKind({ dtype: 'f16', layout: 'NHWC', spatial: 64, channels: 8 })).toBe('f16');
  });
});

describe('elementwise pass, span layout (CPU adapters)', () => {
  type Shape = { batch: number; channels: number; spatial: number; layout: 'NCHW' | 'NHWC'; dtype: 'f32' | 'f16' };

  test('the rule: spans on CPU adapters where the layout allows, one unit per invocation on GPUs', () => {
    const s = (layout: 'NCHW' | 'NHWC', dtype: 'f32' | 'f16', channels: number, spatial: number) => ({ layout, dtype, channels, spatial, elements: channels * spatial });
    expect(selectApplyLayout({ cpu: true }, s('NCHW', 'f32', 320, 4096))).toBe('span');
    expect(selectApplyLayout({ cpu: true }, s('NCHW', 'f32', 4, 49))).toBe('span');
    expect(selectApplyLayout({ cpu: true }, s('NCHW', 'f32', 3, 49))).toBe('scalar');
    expect(selectApplyLayout({ cpu: true }, s('NCHW', 'f16', 3, 49))).toBe('span-f16');
    expect(selectApplyLayout({ cpu: true }, s('NHWC', 'f32', 320, 49))).toBe('columns');
    expect(selectApplyLayout({ cpu: true }, s('NHWC', 'f32', 7, 49))).toBe('columns-scalar');
    expect(selectApplyLayout({ cpu: true }, s('NHWC', 'f16', 6, 49))).toBe('columns-f16');
    expect(selectApplyLayout({ cpu: true }, s('NHWC', 'f16', 7, 49))).toBe('f16');
    expect(selectApplyLayout({ cpu: false }, s('NCHW', 'f32', 320, 4096))).toBe('vec4');
    expect(selectApplyLayout({ cpu: false }, s('NHWC', 'f16', 6, 49))).toBe('f16');
  });

  /**
   * Replays the span entry points' index arithmetic (mirroring channel_apply.wgsl line by line):
   * every element must be written exactly once, with its own (image, channel) coefficients, and
   * every f16 word by exactly one invocation.
   */
  function simulate(shape: Shape) {
    const { batch: N, channels: C, spatial: S } = shape;
    const elements = N * C * S;
    const kind = selectApplyLayout({ cpu: true }, { ...shape, elements });
    const plan = planApply(kind, { ...shape, elements });
    // One unit per invocation (the fallbacks): nothing to replay.
    if (kind === 'vec4' || kind === 'scalar' || kind === 'f16') return { kind, plan };
    const writes = new Uint8Array(elements);
    const wordWriters = new Map<number, number>();
    const coefficientOf = (e: number) => (shape.layout === 'NCHW' ? Math.floor(e / S) : Math.floor(e / (S * C)) * C + (e % C));
    const write = (e: number, k: number) => {
      if (e < 0 || e >= elements) throw new Error(`element ${e} out of range`);
      if (k !== coefficientOf(e)) throw new Error(`element ${e} applied with coefficients ${k}, not ${coefficientOf(e)}`);
      writes[e]!++;
    };
    const writeWord = (w: number, u: number) => {
      const prev = wordWriters.get(w);
      if (prev !== undefined && prev !== u) throw new Error(`word ${w} written by invocations ${prev} and ${u}`);
      wordWriters.set(w, u);
    };
    const coefficientIndex = (e: number) => coefficientOf(e);
    for (let u = 0; u < plan.units; u++) {
      if (kind === 'span' || kind === 'span-f16') {
        const per = kind === 'span' ? 4 : 2;
        const total = kind === 'span' ? elements / 4 : Math.ceil(elements / 2);
        const full = kind === 'span' ? total : Math.floor(elements / 2);
        const first = u * plan.span;
        const end = Math.min(first + plan.span, total);
        let w = first;
        while (w < end) {
          const row = Math.floor((per * w) / S);
          const stop = Math.min(end, full, Math.floor(((row + 1) * S) / per));
          if (stop > w) {
            for (; w < stop; w++) {
              if (kind === 'span-f16') writeWord(w, u);
              for (let i = 0; i < per; i++) write(per * w + i, row);
            }
          } else {
            if (kind === 'span-f16') writeWord(w, u);
            for (let i = 0; i < per; i++) if (per * w + i < elements) write(per * w + i, coefficientIndex(per * w + i));
            w++;
          }
        }
      } else {
        const b = u % plan.blocks;
        const np = Math.floor(u / plan.blocks);
        const p = np % plan.chunks;
        const n = Math.floor(np / plan.chunks);
        const first = p * plan.span;
        const last = Math.min(first + plan.span, S);
        const c0 = 4 * b;
        const lanes = Math.min(C - c0, 4);
        for (let r = first; r < last; r++) {
          const e = (n * S + r) * C + c0;
          if (kind === 'columns-f16') {
            writeWord(e / 2, u);
            if (c0 + 2 < C) writeWord(e / 2 + 1, u);
          }
          if (kind === 'columns' && lanes !== 4) throw new Error('aligned columns need channels % 4 === 0');
          for (let i = 0; i < lanes; i++) write(e + i, n * C + c0 + i);
        }
      }
    }
    const missed = writes.findIndex((v) => v !== 1);
    expect(missed, `element ${missed} written ${writes[missed]} times (${kind})`).toBe(-1);
    return { kind, plan };
  }

  test('fixed shapes: maps shorter than a vector, straddling vectors and words, partial channel quads, many chunks', () => {
    const shapes: Shape[] = [
      { batch: 1, channels: 320, spatial: 4096, layout: 'NCHW', dtype: 'f32' },
      { batch: 3, channels: 4, spatial: 3, layout: 'NCHW', dtype: 'f32' },
      { batch: 1, channels: 4, spatial: 49, layout: 'NCHW', dtype: 'f32' },
      { batch: 3, channels: 5, spatial: 4099, layout: 'NCHW', dtype: 'f16' },
      { batch: 1, channels: 7, spatial: 9, layout: 'NCHW', dtype: 'f16' },
      { batch: 1, channels: 70001, spatial: 3, layout: 'NCHW', dtype: 'f16' },
      { batch: 2, channels: 12, spatial: 333, layout: 'NHWC', dtype: 'f32' },
      { batch: 2, channels: 6, spatial: 4099, layout: 'NHWC', dtype: 'f32' },
      { batch: 2, channels: 6, spatial: 4099, layout: 'NHWC', dtype: 'f16' },
      { batch: 4, channels: 2, spatial: 262144, layout: 'NHWC', dtype: 'f16' },
    ];
    for (const s of shapes) simulate(s);
    const unet = simulate(shapes[0]!);
    expect(unet.plan.span, 'vectors per invocation on a UNet map').toBe(256);
  });

  test('random shapes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 2000 }),
        fc.constantFrom('NCHW' as const, 'NHWC' as const),
        fc.constantFrom('f32' as const, 'f16' as const),
        (batch, channels, spatial, layout, dtype) => {
          simulate({ batch, channels, spatial, layout, dtype });
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('every statistics entry point binds what its module declares', () => {
  // The fake device runs no shader; what is checked is that each entry point's bind group, built
  // from its module's reflection, gets exactly the resources the TypeScript supplies, and which
  // module and entry point each layout dispatches. Pipeline labels are `module.entryPoint(...)`.
  const CPU = { vendor: 'google', architecture: 'swiftshader', device: '', description: '' } as GPUAdapterInfo;
  type Case = [name: string, cpu: boolean, op: 'encodeGroupNorm' | 'encodeInstanceNorm' | 'encodeBatchNormStats', options: Record<string, unknown>, expected: string[]];
  const shape = (layout: 'NCHW' | 'NHWC', dtype: 'f32' | 'f16', spatial = 64) => ({ batch: 2, channels: 8, spatial, layout, dtype });
  const cases: Case[] = [
    ['GPU, NCHW', false, 'encodeGroupNorm', { ...shape('NCHW', 'f32'), groups: 2 }, ['channel_partials.partials_contiguous', 'channel_merge.merge', 'channel_apply.']],
    ['GPU, NHWC, f16', false, 'encodeGroupNorm', { ...shape('NHWC', 'f16'), groups: 2 }, ['channel_partials.partials_channels', 'channel_merge.merge', 'channel_apply.']],
    ['CPU, NCHW, few groups', true, 'encodeGroupNorm', { ...shape('NCHW', 'f32'), groups: 2 }, ['channel_partials.partials_span', 'channel_merge.merge_each', 'channel_apply.']],
    ['CPU, NHWC', true, 'encodeInstanceNorm', shape('NHWC', 'f32'), ['channel_partials.partials_columns', 'channel_merge.merge_each', 'channel_apply.']],
    ['CPU, fused vec4', true, 'encodeGroupNorm', { ...shape('NCHW', 'f32'), groups: 4 }, ['group_norm_fused.group_norm_fused_vec4']],
    ['CPU, fused scalar', true, 'encodeInstanceNorm', shape('NCHW', 'f32', 49), ['group_norm_fused.group_norm_fused_scalar']],
    ['CPU, fused f16', true, 'encodeInstanceNorm', shape('NCHW', 'f16'), ['group_norm_fused.group_norm_fused_f16']],
    ['BatchNorm stats, GPU', false, 'encodeBatchNormStats', shape('NHWC', 'f32'), ['channel_partials.partials_channels', 'channel_merge.merge']],
    ['BatchNorm stats, CPU', true, 'encodeBatchNormStats', shape('NCHW', 'f16'), ['channel_partials.partials_span', 'channel_merge.merge_each']],
  ];
  test.each(cases)('%s', async (_name, cpu, op, options, expected) => {
    const fake = fakeDevice();
    const norm = await createNormalizer({ device: fake.device, ...(cpu ? { adapterInfo: CPU } : {}) });
    const buffer = () => fake.device.createBuffer({ size: 4096, usage: Usage.STORAGE });
    const operands = op === 'encodeBatchNormStats' ? { x: buffer(), mean: buffer(), var: buffer() } : { x: buffer(), y: buffer(), gamma: buffer(), beta: buffer(), mean: buffer(), rstd: buffer() };
    const info = (norm[op] as (t: unknown, o: unknown) => { partials: number })(fake.device.createCommandEncoder(), { ...options, ...operands });
    expect(fake.dispatches).toHaveLength(expected.length);
    fake.dispatches.forEach((label, i) => expect(label.startsWith(expected[i]!), `${label} is ${expected[i]}…`).toBe(true));
    // Scratch sizes come from the declared element stride of `partials` (vec4<f32>: 16 bytes).
    const scratch = fake.buffers.find((b) => b.label === 'webgpu-norm scratch partials');
    if (info.partials > 0) expect(scratch!.size).toBeGreaterThanOrEqual(info.partials * 16);
  });
});
