/**
 * The GPU kit's pieces that run on the target machine without the repository: the .deb unpacker
 * (a .deb is an `ar` archive holding data.tar.*) and run.sh's usage line.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { build } from 'esbuild';
import { kitBundleOptions } from '../../tools/gpu-kit/bundle.js';

const kit = join(import.meta.dirname, '../../tools/gpu-kit');
const dir = mkdtempSync(join(tmpdir(), 'gpu-kit-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An `ar` archive of `members` (name → bytes), as dpkg writes it. */
function ar(members: Record<string, Uint8Array>): Buffer {
  const parts: Uint8Array[] = [Buffer.from('!<arch>\n')];
  for (const [name, data] of Object.entries(members)) {
    const header = `${`${name}/`.padEnd(16)}${'0'.padEnd(12)}${'0'.padEnd(6)}${'0'.padEnd(6)}${'100644'.padEnd(8)}${String(data.length).padEnd(10)}\`\n`;
    parts.push(Buffer.from(header, 'ascii'), data);
    if (data.length % 2) parts.push(Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}

describe('unpack-deb.mjs', () => {
  test('unpacks data.tar from the ar archive, skipping the other members (odd sizes padded)', () => {
    const src = join(dir, 'src');
    mkdirSync(join(src, 'usr/lib'), { recursive: true });
    writeFileSync(join(src, 'usr/lib/libvulkan.so.1'), 'not really a library');
    execFileSync('tar', ['-cf', join(dir, 'data.tar'), '-C', src, 'usr']);
    const deb = ar({ 'debian-binary': Buffer.from('2.0\n'), 'control.tar': Buffer.from('odd'), 'data.tar': readFileSync(join(dir, 'data.tar')) });
    writeFileSync(join(dir, 'x.deb'), deb);
    const out = join(dir, 'out');
    mkdirSync(out);
    execFileSync(process.execPath, [join(kit, 'unpack-deb.mjs'), join(dir, 'x.deb'), out]);
    expect(readFileSync(join(out, 'usr/lib/libvulkan.so.1'), 'utf8')).toBe('not really a library');
  });

  test('refuses a file that is not a .deb', () => {
    writeFileSync(join(dir, 'bad.deb'), 'hello');
    const r = spawnSync(process.execPath, [join(kit, 'unpack-deb.mjs'), join(dir, 'bad.deb'), dir], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('is not a .deb');
  });
});

test('the benchmark bundles as the kit bundles it: plain JavaScript importing only Node and webgpu', async () => {
  const root = join(import.meta.dirname, '../..');
  const r = await build({ ...kitBundleOptions(root, join(dir, 'app')), write: false, metafile: true, logLevel: 'silent' });
  expect(r.errors).toEqual([]);
  const outputs = Object.entries(r.metafile!.outputs);
  expect(outputs.map(([path]) => path.split('/').pop()).sort()).toEqual(['bench.mjs', 'node-worker.mjs']);
  // What a bundle still imports must be on the GPU machine: Node's built-ins, and the webgpu
  // package the kit ships beside the bundles.
  for (const [, o] of outputs) {
    const external = o.imports.filter((i) => i.external).map((i) => i.path);
    expect(external.length).toBeGreaterThan(0);
    expect(external.filter((m) => !m.startsWith('node:') && m !== 'webgpu')).toEqual([]);
  }
}, 60_000);

test('run.sh without arguments prints its usage and exits 2', () => {
  const r = spawnSync('bash', [join(kit, 'run.sh')], { encoding: 'utf8' });
  expect(r.status).toBe(2);
  expect(r.stdout).toContain('./run.sh <icd.json|auto> <out-dir> [bench options]');
  expect(r.stdout).not.toContain('set -euo');
});

type Probe = (icd: string, o: { allowSoftware: boolean }) => { ok: boolean; what: string };
type Lookup = { dirs: string[]; known: Map<string, string> };
/** find-icd.mjs is plain JavaScript, shipped in the kit as it is: its functions, as used here. */
interface FindIcd {
  findGpuIcd(o: { env: Record<string, string | undefined>; dirs: string[]; lookup: Lookup; probe: Probe; writeDir?: string }): {
    icd: string | null;
    adapter: string | null;
    considered: { file: string; verdict: string }[];
  };
  resolveLibrary(library: string, icdDir: string, lookup: Lookup): string | null;
}
const { findGpuIcd, resolveLibrary } = (await import(join(kit, 'find-icd.mjs'))) as FindIcd;

describe('find-icd.mjs (run.sh auto)', () => {

  /** A machine: ICD folders and library folders under a fresh root, from a list of files. */
  function machine(files: Record<string, string>): { root: string; dirs: string[]; lookup: Lookup } {
    const root = mkdtempSync(join(dir, 'machine-'));
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), content);
    }
    const dirs = ['usr/local/nvidia/share/vulkan/icd.d', 'etc/vulkan/icd.d', 'usr/share/vulkan/icd.d'].map((d) => join(root, d));
    return { root, dirs, lookup: { dirs: [join(root, 'usr/lib/x86_64-linux-gnu'), join(root, 'usr/local/nvidia/lib64')], known: new Map() } };
  }
  const icd = (library: string) => JSON.stringify({ file_format_version: '1.0.0', ICD: { library_path: library, api_version: '1.3.0' } });
  const lib = 'usr/lib/x86_64-linux-gnu/';
  /** A probe that finds an adapter for the ICD files named, and records what it was asked. */
  const probeOf = (ok: (file: string) => boolean) => {
    const asked: string[] = [];
    const probe: Probe = (file) => (asked.push(file), ok(file) ? { ok: true, what: `gpu of ${file.split('/').pop()}` } : { ok: false, what: 'no adapter' });
    return { probe, asked };
  };

  test('tries the discrete vendors first (NVIDIA, AMD, Intel, others), each only where its library is there', () => {
    const m = machine({
      'usr/share/vulkan/icd.d/intel_icd.json': icd('libvulkan_intel.so'),
      'usr/share/vulkan/icd.d/radeon_icd.json': icd('libvulkan_radeon.so'),
      'usr/share/vulkan/icd.d/virtio_icd.json': icd('libvulkan_virtio.so'),
      'usr/share/vulkan/icd.d/nouveau_icd.json': icd('libvulkan_nouveau.so'),
      'usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json': icd('libGLX_nvidia.so.0'),
      [`${lib}libvulkan_intel.so`]: '',
      [`${lib}libvulkan_radeon.so`]: '',
      [`${lib}libvulkan_virtio.so`]: '',
      'usr/local/nvidia/lib64/libGLX_nvidia.so.0': '',
    });
    const { probe, asked } = probeOf(() => false);
    const r = findGpuIcd({ env: {}, dirs: m.dirs, lookup: m.lookup, probe });
    expect(asked.map((f) => f.split('/').pop())).toEqual(['nvidia_icd.json', 'radeon_icd.json', 'intel_icd.json', 'virtio_icd.json']);
    expect(r.icd).toBeNull();
    expect(r.considered.find((c) => c.file.endsWith('nouveau_icd.json'))?.verdict).toBe('its driver library libvulkan_nouveau.so is not on this machine');
  });

  test('takes the first whose probe finds an adapter: Mesa ICDs without their hardware are passed over', () => {
    const m = machine({
      'usr/share/vulkan/icd.d/radeon_icd.json': icd('libvulkan_radeon.so'),
      'usr/share/vulkan/icd.d/intel_icd.json': icd('libvulkan_intel.so'),
      [`${lib}libvulkan_radeon.so`]: '',
      [`${lib}libvulkan_intel.so`]: '',
    });
    const { probe } = probeOf((f) => f.endsWith('intel_icd.json'));
    const r = findGpuIcd({ env: {}, dirs: m.dirs, lookup: m.lookup, probe });
    expect(r.icd).toBe(join(m.root, 'usr/share/vulkan/icd.d/intel_icd.json'));
    expect(r.adapter).toBe('gpu of intel_icd.json');
    expect(r.considered.map((c) => c.verdict)).toEqual(['no adapter', 'chosen: gpu of intel_icd.json']);
  });

  test('software drivers only with KIT_ALLOW_SOFTWARE=1, and then after every hardware one', () => {
    const m = machine({
      'usr/share/vulkan/icd.d/lvp_icd.json': icd('libvulkan_lvp.so'),
      'usr/share/vulkan/icd.d/radeon_icd.json': icd('libvulkan_radeon.so'),
      'etc/vulkan/icd.d/vk_swiftshader_icd.json': icd('./libvk_swiftshader.so'),
      [`${lib}libvulkan_lvp.so`]: '',
      [`${lib}libvulkan_radeon.so`]: '',
      'etc/vulkan/icd.d/libvk_swiftshader.so': '',
    });
    const none = probeOf(() => true);
    const r = findGpuIcd({ env: {}, dirs: m.dirs, lookup: m.lookup, probe: probeOf((f) => !f.includes('radeon')).probe });
    expect(r.icd).toBeNull();
    expect(r.considered.filter((c) => c.verdict.startsWith('software driver, passed over'))).toHaveLength(2);
    const allowed = findGpuIcd({ env: { KIT_ALLOW_SOFTWARE: '1' }, dirs: m.dirs, lookup: m.lookup, probe: none.probe });
    expect(none.asked.map((f) => f.split('/').pop())).toEqual(['radeon_icd.json']);
    expect(allowed.icd).toMatch(/radeon_icd\.json$/);
    const softOnly = probeOf((f) => !f.includes('radeon'));
    // A library path with a slash is relative to its ICD file (SwiftShader's beside its JSON).
    expect(findGpuIcd({ env: { KIT_ALLOW_SOFTWARE: '1' }, dirs: m.dirs, lookup: m.lookup, probe: softOnly.probe }).icd).toMatch(/vk_swiftshader_icd\.json$/);
    expect(softOnly.asked.map((f) => f.split('/').pop())).toEqual(['radeon_icd.json', 'vk_swiftshader_icd.json']);
  });

  test('passes over other architectures, unreadable files and files without a library path', () => {
    const m = machine({
      'usr/share/vulkan/icd.d/radeon_icd.i686.json': icd('/usr/lib/i386-linux-gnu/libvulkan_radeon.so'),
      'usr/share/vulkan/icd.d/broken.json': '{ not json',
      'usr/share/vulkan/icd.d/empty.json': '{}',
    });
    const { probe, asked } = probeOf(() => true);
    const r = findGpuIcd({ env: {}, dirs: m.dirs, lookup: m.lookup, probe });
    expect(r.icd).toBeNull();
    expect(asked).toEqual([]);
    expect(r.considered.map((c) => c.verdict.replace(/\(.*/, ''))).toEqual(['unreadable ', 'names no ICD.library_path', "another architecture's driver "]);
  });

  test('the NVIDIA driver without its ICD file: one is written naming the library, and tried', () => {
    const m = machine({ 'usr/local/nvidia/lib64/libGLX_nvidia.so.0': '', [`${lib}libvulkan_intel.so`]: '', 'usr/share/vulkan/icd.d/intel_icd.json': icd('libvulkan_intel.so') });
    const out = mkdtempSync(join(dir, 'write-'));
    const { probe, asked } = probeOf(() => true);
    const r = findGpuIcd({ env: {}, dirs: m.dirs, lookup: m.lookup, probe, writeDir: out });
    expect(r.icd).toBe(join(out, 'nvidia_icd.json'));
    expect(asked[0]).toBe(join(out, 'nvidia_icd.json'));
    expect(JSON.parse(readFileSync(join(out, 'nvidia_icd.json'), 'utf8')).ICD.library_path).toBe(join(m.root, 'usr/local/nvidia/lib64/libGLX_nvidia.so.0'));
  });

  test('an NVIDIA ICD file whose bare library name the linker cannot find: the full-path one written here is tried next', () => {
    const m = machine({ 'usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json': icd('libGLX_nvidia.so.0'), 'usr/local/nvidia/lib64/libGLX_nvidia.so.0': '' });
    const out = mkdtempSync(join(dir, 'write-'));
    const written = join(out, 'nvidia_icd.json');
    const { probe, asked } = probeOf((f) => f === written);
    const r = findGpuIcd({ env: {}, dirs: m.dirs, lookup: m.lookup, probe, writeDir: out });
    expect(asked).toEqual([join(m.dirs[0]!, 'nvidia_icd.json'), written]);
    expect(r.icd).toBe(written);
    expect(r.considered.find((c) => c.file === written && c.verdict.startsWith('written here'))?.verdict).toContain('tried if the NVIDIA ICD file above finds no adapter');
  });

  test('files named by VK_DRIVER_FILES / VK_ICD_FILENAMES are looked at too; a bare name found by ldconfig counts', () => {
    const m = machine({ 'opt/gpu/my_icd.json': icd('libvulkan_mine.so') });
    const { probe } = probeOf(() => true);
    const lookup = { dirs: [], known: new Map([['libvulkan_mine.so', '/opt/gpu/libvulkan_mine.so']]) };
    const r = findGpuIcd({ env: { VK_DRIVER_FILES: join(m.root, 'opt/gpu/my_icd.json') }, dirs: m.dirs, lookup, probe });
    expect(r.icd).toBe(join(m.root, 'opt/gpu/my_icd.json'));
    expect(resolveLibrary('libvulkan_other.so', '/', lookup)).toBeNull();
  });

  test('the CLI with Dawn itself: a driver library that does not load gives no adapter, and auto says what it saw', () => {
    const m = machine({ [`${lib}libvulkan_fake.so`]: 'not a library', 'usr/share/vulkan/icd.d/lvp_icd.json': icd('libvulkan_lvp.so') });
    // By its full path, so that the Vulkan loader in the probe finds the file and fails to load it.
    writeFileSync(join(m.root, 'usr/share/vulkan/icd.d/fake_icd.json'), icd(join(m.root, lib, 'libvulkan_fake.so')));
    const env = { ...process.env, KIT_ICD_DIRS: m.dirs.join(':'), KIT_LIB_DIRS: m.lookup.dirs.join(':'), VK_DRIVER_FILES: '', VK_ICD_FILENAMES: '' };
    const r = spawnSync(process.execPath, [join(kit, 'find-icd.mjs'), dir], { env, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('fake_icd.json: no adapter: the driver finds no device of its kind here');
    expect(r.stderr).toContain('lvp_icd.json: software driver, passed over');
    expect(r.stderr).toContain('auto: no GPU Vulkan driver found');
  });
});
