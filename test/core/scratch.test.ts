/**
 * The one guard on derived scratch (src/core/scratch.ts): a scratch past the device's binding or
 * buffer limit is a `limit-exceeded` NormError before anything is created, and the power-of-two
 * growth never rounds a size that fits up past `maxBufferSize`.
 */
import { describe, expect, test } from 'vitest';
import { NormError } from '../../src/core/errors.js';
import { OwnedResources } from '../../src/core/resources.js';
import { checkScratch, maxScratchBytes, scratchFits, scratchRange } from '../../src/core/scratch.js';
import { fakeDevice } from './fake-device.js';

const limits = { maxStorageBufferBindingSize: 6000, maxBufferSize: 7000 };

describe('scratch guard', () => {
  test('the largest scratch is the smaller of the binding and buffer limits', () => {
    expect(maxScratchBytes(limits)).toBe(6000);
    expect(maxScratchBytes({ maxStorageBufferBindingSize: 9000, maxBufferSize: 5000 })).toBe(5000);
    expect(scratchFits(limits, 6000)).toBe(true);
    expect(scratchFits(limits, 6004)).toBe(false);
    // A size past 2^53 is not a size the device can be asked for.
    expect(scratchFits({ maxStorageBufferBindingSize: Infinity, maxBufferSize: Infinity }, 2 ** 60)).toBe(false);
  });

  test('checkScratch refuses with limit-exceeded, naming the size, the limits and how to split', () => {
    expect(() => checkScratch(limits, 'the split-row partials', 8192, 'variant.splitRow', 'use fewer segments')).toThrow(NormError);
    try {
      checkScratch(limits, 'the split-row partials', 8192, 'variant.splitRow', 'use fewer segments');
    } catch (e) {
      const n = e as NormError;
      expect({ code: n.code, argument: n.argument }).toEqual({ code: 'limit-exceeded', argument: 'variant.splitRow' });
      expect(n.message).toContain('8192 bytes');
      expect(n.message).toContain('maxStorageBufferBindingSize (6000)');
      expect(n.message).toContain('use fewer segments');
    }
  });

  test('scratchRange refuses a size past the limits without creating a buffer', () => {
    const fake = fakeDevice(limits);
    const resources = new OwnedResources(fake.device);
    expect(() => scratchRange(resources, 'partials', 6016)).toThrow(expect.objectContaining({ code: 'limit-exceeded' }));
    expect(fake.buffers).toHaveLength(0);
  });

  test('growth to the next power of two stops at maxBufferSize, so a size that fits makes a valid buffer', () => {
    const fake = fakeDevice({ maxStorageBufferBindingSize: 6000, maxBufferSize: 6000 });
    const resources = new OwnedResources(fake.device);
    const range = scratchRange(resources, 'partials', 5000);
    expect(range.size).toBe(5000);
    expect(fake.buffers.map((b) => b.size)).toEqual([6000]);
    expect(fake.validationErrors).toEqual([]);
  });
});
