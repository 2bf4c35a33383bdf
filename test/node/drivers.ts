/**
 * The software Vulkan drivers the node projects run the GPU case tables on, through Dawn (the
 * `webgpu` package). The Vulkan loader reads VK_ICD_FILENAMES once, when Dawn creates its
 * instance, so each driver gets its own Vitest project and every test file its own process (the
 * forks pool): one driver per process. vite.config.ts builds one project per installed driver;
 * an explicit VK_ICD_FILENAMES gives one project that runs that driver only.
 */
import { existsSync } from 'node:fs';

export interface SoftwareDriver {
  /** Short name, shown in the project name (`node:lavapipe`) and in every failure. */
  readonly name: string;
  /** The ICD manifest that selects it. */
  readonly icd: string;
  /** What Dawn's adapter info says for it: a run that reached another adapter fails. */
  readonly adapter: RegExp;
}

export const SOFTWARE_DRIVERS: readonly SoftwareDriver[] = [
  { name: 'swiftshader', icd: '/usr/lib/chromium/vk_swiftshader_icd.json', adapter: /swiftshader/i },
  { name: 'lavapipe', icd: '/usr/share/vulkan/icd.d/lvp_icd.json', adapter: /llvmpipe|lavapipe/i },
];

/** The drivers whose ICD manifest is installed on this machine. */
export function installedDrivers(): SoftwareDriver[] {
  return SOFTWARE_DRIVERS.filter((d) => existsSync(d.icd));
}

/** The known driver an ICD path selects, or a driver named after the file for any other ICD. */
export function driverOfIcd(icd: string): SoftwareDriver {
  const known = SOFTWARE_DRIVERS.find((d) => d.icd === icd);
  if (known) return known;
  const base = icd.split('/').pop()!.replace(/(_icd)?(\.[a-z0-9_]+)*\.json$/i, '');
  return { name: base || 'vulkan', icd, adapter: /./ };
}

/** The environment variable through which a node project tells its test files which driver it runs. */
export const DRIVER_ENV = 'WEBGPU_NORM_DRIVER';
