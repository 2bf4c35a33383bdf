/**
 * The environment the `webgpu` package (Dawn) needs on a machine without a GPU driver: Vulkan on
 * SwiftShader, whose ICD (and, on Debian, the only Vulkan loader) ships with Chromium. The Vulkan
 * loader reads VK_ICD_FILENAMES when it starts and the dynamic linker reads LD_LIBRARY_PATH when
 * the process starts, hence a child process with the variables set rather than setting them here.
 */
import { dirname, join } from 'node:path';

/** Chromium's SwiftShader Vulkan ICD on Debian. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** Where a system Vulkan loader would be; if one exists, LD_LIBRARY_PATH is left alone. */
const SYSTEM_LOADERS = [
  '/usr/lib/x86_64-linux-gnu/libvulkan.so.1',
  '/usr/lib/aarch64-linux-gnu/libvulkan.so.1',
  '/usr/lib64/libvulkan.so.1',
  '/usr/lib/libvulkan.so.1',
  '/usr/local/lib/libvulkan.so.1',
];

/**
 * The child's environment and notes saying what was set. Sets VK_ICD_FILENAMES to SwiftShader if
 * it is unset and the ICD exists; adds the ICD's directory to LD_LIBRARY_PATH if it holds a
 * Vulkan loader and the system has none.
 *
 * @example
 * ```ts
 * const { env, notes } = nodeWebgpuEnv(process.env, existsSync);
 * ```
 */
export function nodeWebgpuEnv(
  base: Readonly<Record<string, string | undefined>>,
  exists: (path: string) => boolean,
): { env: Record<string, string | undefined>; notes: string[] } {
  const env = { ...base };
  const notes: string[] = [];
  if (env.VK_ICD_FILENAMES === undefined && exists(SWIFTSHADER_ICD)) {
    env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
    notes.push(`VK_ICD_FILENAMES=${SWIFTSHADER_ICD} (set by the bench: Vulkan on SwiftShader)`);
  } else if (env.VK_ICD_FILENAMES !== undefined) {
    notes.push(`VK_ICD_FILENAMES=${env.VK_ICD_FILENAMES} (from the environment)`);
  }
  const icdDir = env.VK_ICD_FILENAMES ? dirname(env.VK_ICD_FILENAMES) : undefined;
  if (icdDir && exists(join(icdDir, 'libvulkan.so.1')) && !SYSTEM_LOADERS.some(exists)) {
    const current = env.LD_LIBRARY_PATH;
    if (!current?.split(':').includes(icdDir)) {
      env.LD_LIBRARY_PATH = current ? `${current}:${icdDir}` : icdDir;
      notes.push(`LD_LIBRARY_PATH+=${icdDir} (set by the bench: no system libvulkan.so.1)`);
    }
  }
  return { env, notes };
}
