/**
 * The typed forms' result types follow `outputDtype` (checked by tsc, which type-checks the tests)
 * and the runtime arrays are the types they claim: y in outputDtype, sum in x's dtype.
 */
import { describe, expect, expectTypeOf, test } from 'vitest';
import * as cpu from '../../src/cpu.js';
import type { LayerNormOptions } from '../../src/ops/row-norm/options.js';

const x32 = new Float32Array([1, 2, 3, 4, 5, 6, 7, 9]);
const x16 = cpu.layerNorm(x32, { cols: 4, outputDtype: 'f16' }).y;

describe('y follows outputDtype, sum stays in x', () => {
  test('default: y in x', () => {
    const a = cpu.layerNorm(x32, { cols: 4 });
    expectTypeOf(a.y).toEqualTypeOf<Float32Array>();
    expect(a.y).toBeInstanceOf(Float32Array);
    const b = cpu.rmsNorm(x16, { cols: 4 });
    expectTypeOf(b.y).toEqualTypeOf<Uint16Array>();
    expect(b.y).toBeInstanceOf(Uint16Array);
    // A variable typed LayerNormOptions keeps y in x's type.
    const o: LayerNormOptions = { cols: 4 };
    expectTypeOf(cpu.layerNorm(x32, o).y).toEqualTypeOf<Float32Array>();
  });

  test('f32 to f16 and f16 to f32', () => {
    const a = cpu.layerNorm(x32, { cols: 4, outputDtype: 'f16' });
    expectTypeOf(a.y).toEqualTypeOf<Uint16Array>();
    expect(a.y).toBeInstanceOf(Uint16Array);
    const b = cpu.rmsNorm(x16, { cols: 4, outputDtype: 'f32' });
    expectTypeOf(b.y).toEqualTypeOf<Float32Array>();
    expect(b.y).toBeInstanceOf(Float32Array);
    const o: LayerNormOptions<'f16'> = { cols: 4, outputDtype: 'f16' };
    expectTypeOf(cpu.layerNorm(x32, o).y).toEqualTypeOf<Uint16Array>();
  });

  test('fused ops: y in outputDtype, sum in x, with mean and rstd', () => {
    const a = cpu.addLayerNorm(x16, x16, { cols: 4, outputDtype: 'f32' });
    expectTypeOf(a.y).toEqualTypeOf<Float32Array>();
    expectTypeOf(a.sum).toEqualTypeOf<Uint16Array>();
    expectTypeOf(a.mean).toEqualTypeOf<Float32Array>();
    expect([a.y, a.sum, a.mean, a.rstd].map((v) => v.constructor.name)).toEqual(['Float32Array', 'Uint16Array', 'Float32Array', 'Float32Array']);
    const b = cpu.addRmsNorm(x32, x32, { cols: 4, outputDtype: 'f16' });
    expectTypeOf(b.y).toEqualTypeOf<Uint16Array>();
    expectTypeOf(b.sum).toEqualTypeOf<Float32Array>();
    expect([b.y, b.sum, b.rstd].map((v) => v.constructor.name)).toEqual(['Uint16Array', 'Float32Array', 'Float32Array']);
  });
});
