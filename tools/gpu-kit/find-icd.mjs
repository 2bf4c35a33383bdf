// Finds this machine's GPU Vulkan driver for `run.sh auto`, so that a person (or a script on a
// machine lent for a few minutes) need not know where the driver put its ICD file.
//
//   node find-icd.mjs <dir>   prints the ICD file's path; says on stderr what it looked at and why.
//
// Where the Vulkan loader looks: the files named by VK_DRIVER_FILES / VK_ICD_FILENAMES, then
// vulkan/icd.d under /etc, /usr/local/share, /usr/share, XDG_CONFIG_DIRS and XDG_DATA_DIRS, plus
// /usr/local/nvidia/share (where NVIDIA's container runtime mounts the driver). An ICD file whose
// driver library is there (a path is taken relative to the file; a bare name is looked up in the
// library folders and `ldconfig -p`, as the dynamic linker does) is then tried: Dawn, in a child
// process with only that driver, must find an adapter. That matters: Mesa installs ICD files and
// libraries for every GPU family it drives, present or not. Discrete vendors are tried first.
// Software drivers (lavapipe, SwiftShader) are passed over unless KIT_ALLOW_SOFTWARE=1: a kit run
// on them measures a CPU. Where the NVIDIA driver library is installed, an ICD file naming it by
// its full path is written into <dir> and tried after any NVIDIA file found: a container may have
// the driver without its Vulkan manifest, or a manifest naming a library the linker cannot find.
//
// KIT_ICD_DIRS and KIT_LIB_DIRS (colon-separated) replace the folders searched; with
// KIT_LIB_DIRS set, `ldconfig -p` is not asked (the tests use both).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SOFTWARE = /lvp|lavapipe|llvmpipe|softpipe|swiftshader/i;
const OTHER_ARCH = /i386|i686|armv7|aarch64|arm64/i;
/** Discrete first: NVIDIA, AMD, Intel, then anything else. */
const VENDORS = [/nvidia/i, /radeon|amd|ati_/i, /intel/i];
const NVIDIA_LIBRARY = 'libGLX_nvidia.so.0';

const split = (v) => (v ? v.split(':').filter(Boolean) : []);

/** The folders the loader reads ICD files from, in its order, for this environment. */
export function icdDirs(env = process.env) {
  if (env.KIT_ICD_DIRS !== undefined) return split(env.KIT_ICD_DIRS);
  const config = split(env.XDG_CONFIG_DIRS ?? '/etc/xdg');
  const data = split(env.XDG_DATA_DIRS ?? '/usr/local/share:/usr/share');
  return [...new Set(['/usr/local/nvidia/share', ...config, '/etc', ...data, '/usr/local/share', '/usr/share'].map((d) => join(d, 'vulkan/icd.d')))];
}

/** The folders a bare library name is looked up in, and the libraries `ldconfig -p` knows. */
export function libraryLookup(env = process.env) {
  if (env.KIT_LIB_DIRS !== undefined) return { dirs: split(env.KIT_LIB_DIRS), known: new Map() };
  const dirs = [...split(env.LD_LIBRARY_PATH), '/usr/local/nvidia/lib64', '/usr/local/nvidia/lib', '/usr/lib/x86_64-linux-gnu', '/lib/x86_64-linux-gnu', '/usr/lib64', '/lib64', '/usr/local/lib', '/usr/lib', '/lib'];
  const known = new Map();
  try {
    const out = execFileSync('ldconfig', ['-p'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    for (const m of out.matchAll(/^\s*(\S+) \(([^)]*)\) => (\S+)$/gm)) if (!m[2].includes('i386') && !known.has(m[1])) known.set(m[1], m[3]);
  } catch {
    // No ldconfig (a minimal image): the folders alone.
  }
  return { dirs, known };
}

/** Where the loader would find `library` named by an ICD file in `icdDir`, or null. */
export function resolveLibrary(library, icdDir, lookup) {
  if (library.includes('/')) {
    const p = isAbsolute(library) ? library : resolve(icdDir, library);
    return existsSync(p) ? p : null;
  }
  for (const d of lookup.dirs) if (existsSync(join(d, library))) return join(d, library);
  return lookup.known.get(library) ?? null;
}

const rank = (text) => {
  const i = VENDORS.findIndex((v) => v.test(text));
  return i < 0 ? VENDORS.length : i;
};

/**
 * Asks Dawn, in a child process that sees only `icd`, for an adapter: `{ ok, what }`, where `what`
 * names the adapter or says why there is none. A software adapter is not ok unless allowed.
 */
export function probeIcd(icd, { allowSoftware = false, timeoutMs = 60_000 } = {}) {
  const env = { ...process.env, VK_ICD_FILENAMES: icd, VK_DRIVER_FILES: icd };
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--probe'], { env, encoding: 'utf8', timeout: timeoutMs });
  if (r.error || r.status !== 0) return { ok: false, what: `Dawn could not open it (${r.error?.message ?? `status ${r.status}${r.signal ? `, ${r.signal}` : ''}`})` };
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (line === 'null') return { ok: false, what: 'no adapter: the driver finds no device of its kind here' };
  let info;
  try {
    info = JSON.parse(line);
  } catch {
    return { ok: false, what: `unexpected probe output: ${line.slice(0, 200)}` };
  }
  const what = `${info.vendor} ${info.architecture} ${info.description || info.device}`.trim();
  const software = info.fallback === true || info.architecture === 'software' || SOFTWARE.test(what);
  if (software && !allowSoftware) return { ok: false, what: `a software adapter (${what}), passed over` };
  return { ok: true, what };
}

/** The `--probe` child: prints the adapter Dawn finds as one JSON line, or `null`. */
async function probeChild() {
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  const gpu = create([]);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) return console.log('null');
  const i = adapter.info;
  console.log(JSON.stringify({ vendor: i.vendor, architecture: i.architecture, device: i.device, description: i.description, fallback: adapter.isFallbackAdapter ?? i.isFallbackAdapter ?? false }));
  // Dawn's teardown can outlive the answer: it is given, leave.
  process.exit(0);
}

/**
 * Chooses an ICD file: `{ icd, adapter, considered }` where `considered` lists every file looked
 * at with its verdict, and `icd` is null when none will do. `writeDir` receives a generated NVIDIA
 * ICD file where the driver library is there without one. `probe` tries a file (see
 * {@link probeIcd}; a fake in tests).
 */
export function findGpuIcd({ env = process.env, dirs = icdDirs(env), lookup = libraryLookup(env), writeDir, probe = probeIcd } = {}) {
  const allowSoftware = env.KIT_ALLOW_SOFTWARE === '1';
  const files = [...split(env.VK_DRIVER_FILES), ...split(env.VK_ICD_FILENAMES)];
  for (const d of dirs) {
    let names = [];
    try {
      names = readdirSync(d).filter((n) => n.endsWith('.json')).sort();
    } catch {
      continue;
    }
    for (const n of names) files.push(join(d, n));
  }
  const considered = [];
  const candidates = [];
  for (const file of [...new Set(files)]) {
    let library;
    try {
      if (!statSync(file).isFile()) continue;
      library = JSON.parse(readFileSync(file, 'utf8'))?.ICD?.library_path;
    } catch (e) {
      considered.push({ file, verdict: `unreadable (${e.message.split('\n')[0]})` });
      continue;
    }
    if (typeof library !== 'string' || library === '') {
      considered.push({ file, verdict: 'names no ICD.library_path' });
      continue;
    }
    const text = `${basename(file)} ${library}`;
    if (OTHER_ARCH.test(text)) {
      considered.push({ file, verdict: `another architecture's driver (${library})` });
      continue;
    }
    const software = SOFTWARE.test(text);
    if (software && !allowSoftware) {
      considered.push({ file, verdict: `software driver, passed over (${library}; KIT_ALLOW_SOFTWARE=1 takes it)` });
      continue;
    }
    const found = resolveLibrary(library, dirname(file), lookup);
    if (found === null) {
      considered.push({ file, verdict: `its driver library ${library} is not on this machine` });
      continue;
    }
    candidates.push({ file, order: software ? VENDORS.length + 1 : rank(text) });
  }
  // NVIDIA's library by its full path, tried after any NVIDIA ICD file: where no file names it (a
  // container given the driver without its manifest), and where a file names it bare but the
  // dynamic linker cannot find it (/usr/local/nvidia/lib64 outside its search path).
  const nvidia = resolveLibrary(NVIDIA_LIBRARY, '/', lookup);
  if (nvidia !== null && writeDir) {
    const icd = join(writeDir, 'nvidia_icd.json');
    writeFileSync(icd, `${JSON.stringify({ file_format_version: '1.0.1', ICD: { library_path: nvidia, api_version: '1.3.0' } }, null, 2)}\n`);
    const named = candidates.some((c) => c.order === 0);
    considered.push({ file: icd, verdict: `written here, naming ${nvidia} by its full path${named ? ' (tried if the NVIDIA ICD file above finds no adapter)' : ': the NVIDIA driver library is installed, but no ICD file names it'}` });
    candidates.push({ file: icd, order: 0 });
  }
  // Stable: the loader's folder order within a vendor, the written file last among NVIDIA's.
  candidates.sort((a, b) => a.order - b.order);
  for (const { file } of candidates) {
    const p = probe(file, { allowSoftware });
    considered.push({ file, verdict: p.ok ? `chosen: ${p.what}` : p.what });
    if (p.ok) return { icd: file, adapter: p.what, considered };
  }
  return { icd: null, adapter: null, considered };
}

function main() {
  const [dir] = process.argv.slice(2);
  if (!dir) {
    console.error('usage: node find-icd.mjs <dir for a generated ICD file>');
    process.exit(2);
  }
  const dirs = icdDirs();
  const { icd, considered } = findGpuIcd({ dirs, writeDir: dir });
  for (const c of considered) console.error(`  ${c.file}: ${c.verdict}`);
  if (icd === null) {
    console.error(`auto: no GPU Vulkan driver found (looked in ${dirs.join(', ')}${process.env.VK_DRIVER_FILES || process.env.VK_ICD_FILENAMES ? ', and VK_DRIVER_FILES/VK_ICD_FILENAMES' : ''}).`);
    console.error("auto: pass the ICD file instead of auto, or install the GPU vendor's Vulkan driver.");
    process.exit(2);
  }
  console.error(`auto: ${icd}`);
  console.log(icd);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv[2] === '--probe') await probeChild();
  else main();
}
