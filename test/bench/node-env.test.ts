import { describe, expect, test } from 'vitest';
import { nodeWebgpuEnv, SWIFTSHADER_ICD } from '../../bench/runtimes/node-env.js';

const files = (...paths: string[]) => (p: string) => paths.includes(p);

describe('nodeWebgpuEnv', () => {
  test('sets VK_ICD_FILENAMES and the loader path on a machine with only Chromium', () => {
    const { env, notes } = nodeWebgpuEnv({ PATH: '/bin' }, files(SWIFTSHADER_ICD, '/usr/lib/chromium/libvulkan.so.1'));
    expect(env.VK_ICD_FILENAMES).toBe(SWIFTSHADER_ICD);
    expect(env.LD_LIBRARY_PATH).toBe('/usr/lib/chromium');
    expect(env.PATH).toBe('/bin');
    expect(notes).toHaveLength(2);
  });

  test('keeps a VK_ICD_FILENAMES the user set', () => {
    const { env } = nodeWebgpuEnv({ VK_ICD_FILENAMES: '/opt/icd.json' }, files(SWIFTSHADER_ICD));
    expect(env.VK_ICD_FILENAMES).toBe('/opt/icd.json');
    expect(env.LD_LIBRARY_PATH).toBeUndefined();
  });

  test('leaves LD_LIBRARY_PATH alone when the system has a Vulkan loader', () => {
    const { env } = nodeWebgpuEnv({}, files(SWIFTSHADER_ICD, '/usr/lib/chromium/libvulkan.so.1', '/usr/lib/x86_64-linux-gnu/libvulkan.so.1'));
    expect(env.VK_ICD_FILENAMES).toBe(SWIFTSHADER_ICD);
    expect(env.LD_LIBRARY_PATH).toBeUndefined();
  });

  test('appends to an existing LD_LIBRARY_PATH once', () => {
    const has = files(SWIFTSHADER_ICD, '/usr/lib/chromium/libvulkan.so.1');
    expect(nodeWebgpuEnv({ LD_LIBRARY_PATH: '/a' }, has).env.LD_LIBRARY_PATH).toBe('/a:/usr/lib/chromium');
    expect(nodeWebgpuEnv({ LD_LIBRARY_PATH: '/a:/usr/lib/chromium' }, has).env.LD_LIBRARY_PATH).toBe('/a:/usr/lib/chromium');
  });

  test('does nothing without Chromium', () => {
    expect(nodeWebgpuEnv({}, files()).env).toEqual({});
  });

  test('does not modify its input', () => {
    const base = {};
    nodeWebgpuEnv(base, files(SWIFTSHADER_ICD));
    expect(base).toEqual({});
  });
});
