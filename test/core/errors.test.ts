/**
 * NormError and the scalar argument checks every entry point shares.
 */
import { describe, expect, test } from 'vitest';
import { NormError, checkEpsilon, checkF32Option, checkInteger, describe as describeValue } from '../../src/core/errors.js';

describe('NormError', () => {
  test('carries name, code and argument, and prefixes the message with the argument', () => {
    const e = new NormError('shape-mismatch', 'expected length cols = 4, got 3', 'gamma');
    expect(e).toBeInstanceOf(Error);
    expect(e).toBeInstanceOf(NormError);
    expect(e.name).toBe('NormError');
    expect(e.code).toBe('shape-mismatch');
    expect(e.argument).toBe('gamma');
    expect(e.message).toBe('gamma: expected length cols = 4, got 3');
    expect(String(e)).toBe('NormError: gamma: expected length cols = 4, got 3');
  });

  test('without an argument the message is unprefixed and argument is undefined', () => {
    const e = new NormError('destroyed', 'this normalizer was destroyed');
    expect(e.argument).toBeUndefined();
    expect(e.message).toBe('this normalizer was destroyed');
  });

  test('keeps the cause', () => {
    const cause = new TypeError('boom');
    const e = new NormError('device-lost', 'reading back failed', undefined, { cause });
    expect(e.cause).toBe(cause);
  });

  test('has a stack and survives a throw/catch as itself', () => {
    let caught: unknown;
    try {
      throw new NormError('aliasing', 'overlaps x', 'y');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(NormError);
    expect((caught as NormError).stack).toContain('NormError');
  });
});

describe('checkInteger', () => {
  test.each([1, 2, 768, Number.MAX_SAFE_INTEGER])('accepts %s', (v) => {
    expect(checkInteger(v, 'cols')).toBe(v);
  });

  test.each<[unknown, string]>([
    [0, 'below the default minimum of 1'],
    [-1, 'negative'],
    [1.5, 'not an integer'],
    [NaN, 'NaN'],
    [Infinity, 'Infinity'],
    ['3', 'a numeric string'],
    [3n, 'a bigint'],
    [null, 'null'],
    [undefined, 'undefined'],
    [Number.MAX_SAFE_INTEGER + 2, 'beyond the safe integers'],
  ])('rejects %s (%s) as invalid-argument naming the argument', (v) => {
    let err: unknown;
    try {
      checkInteger(v, 'cols');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NormError);
    expect((err as NormError).code).toBe('invalid-argument');
    expect((err as NormError).argument).toBe('cols');
    expect((err as NormError).message).toMatch(/^cols: expected an integer >= 1, got /);
  });

  test('honours an explicit range and says so in the message', () => {
    expect(checkInteger(0, 'n', 0, 3)).toBe(0);
    expect(checkInteger(3, 'n', 0, 3)).toBe(3);
    expect(() => checkInteger(4, 'n', 0, 3)).toThrow(/^n: expected an integer in \[0, 3\], got 4$/);
    expect(() => checkInteger(-1, 'n', 0, 3)).toThrow(NormError);
  });
});

describe('checkEpsilon', () => {
  test.each([0, 1e-12, 1e-5, 1, 1e30, 2 ** -126, 3.4028234663852886e38])('accepts %s', (v) => {
    expect(checkEpsilon(v)).toBe(v);
  });

  // The last three are numbers, but not f32s: +Inf on the GPU, or flushed to 0 there.
  test.each<[unknown]>([[NaN], [Infinity], [-Infinity], [-1], [-1e-30], ['1e-5'], [null], [1e39], [1e-45], [Number.MIN_VALUE]])('rejects %s', (v) => {
    let err: unknown;
    try {
      checkEpsilon(v);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NormError);
    expect((err as NormError).code).toBe('invalid-argument');
    expect((err as NormError).argument).toBe('epsilon');
  });

  test('-0 is accepted (it is >= 0)', () => {
    expect(Object.is(checkEpsilon(-0), -0)).toBe(true);
  });

  test('names a custom argument', () => {
    expect(() => checkEpsilon(NaN, 'options.eps')).toThrow(/^options\.eps: /);
  });
});

describe('checkF32Option', () => {
  test.each([0, -0, 1, -1, 2 ** -126, -(2 ** -126), 3.4028234663852886e38, -3.4028234663852886e38])('accepts %s without a minimum', (v) => {
    expect(checkF32Option(v, 'gammaOffset')).toBe(v);
  });

  test.each([
    [3.5e38, /got 3\.5e\+38, which is ±Infinity as an f32$/],
    [-3.5e38, /got -3\.5e\+38, which is ±Infinity as an f32$/],
    [1e-45, /got 1e-45, which a GPU may flush to 0/],
    [-(2 ** -127), /which a GPU may flush to 0/],
    [NaN, /got NaN$/],
  ])('refuses %s, stating the representable range', (v, says) => {
    let err: unknown;
    try {
      checkF32Option(v, 'gammaOffset');
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'invalid-argument', argument: 'gammaOffset' });
    expect((err as NormError).message).toMatch(/^gammaOffset: expected a finite number that f32 represents: 0 or a magnitude in \[2\^-126, 3\.4028234663852886e38\]/);
    expect((err as NormError).message).toMatch(says);
  });

  test('a minimum is enforced and stated', () => {
    expect(() => checkF32Option(-1, 'epsilon', { min: 0 })).toThrow(/^epsilon: expected a finite number >= 0 that f32 represents: 0 or in \[2\^-126, /);
  });
});

describe('describe (values in messages)', () => {
  test('renders each kind of value briefly', () => {
    expect(describeValue(null)).toBe('null');
    expect(describeValue(undefined)).toBe('undefined');
    expect(describeValue(NaN)).toBe('NaN');
    expect(describeValue('3')).toBe('"3"');
    expect(describeValue('x'.repeat(100))).toBe(JSON.stringify('x'.repeat(40) + '…'));
    expect(describeValue(new Float64Array(7))).toBe('Float64Array(7)');
    expect(describeValue(new DataView(new ArrayBuffer(12)))).toBe('DataView(12)');
    expect(describeValue([1, 2])).toBe('Array');
    expect(describeValue({})).toBe('Object');
    expect(describeValue(Object.create(null))).toBe('object');
    expect(describeValue(() => 1)).toBe('function');
    expect(describeValue(true)).toBe('boolean');
  });
});
