/**
 * `npm run kit`: builds the real-GPU measurement kit, one self-contained folder (at most 60 MiB)
 * that runs the Node benchmark on any Linux x64 machine with a Vulkan driver, with no npm and no
 * network: the node binary running this script, the `webgpu` package's Dawn addon, the benchmark
 * and the built library bundled into plain JavaScript, Debian's Vulkan loader package, and
 * `run.sh <icd.json|auto> <out-dir>`. The two large binaries are gzipped (gzip is on every Linux) and
 * unpacked by run.sh into a temporary folder. See docs/performance.md, "Measuring on a real GPU".
 *
 * Usage: npm run kit [-- --out DIR] [-- --deb FILE]   (default DIR: bench-results/gpu-kit)
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { kitBundleOptions } from './bundle.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const here = dirname(fileURLToPath(import.meta.url));
/** The limit on the folder. */
const MAX_BYTES = 60 * 1024 * 1024;

const { values } = parseArgs({ options: { out: { type: 'string' }, deb: { type: 'string' } } });
const out = resolve(process.env.INIT_CWD ?? process.cwd(), values.out ?? join(root, 'bench-results/gpu-kit'));

function main(): void {
  if (process.platform !== 'linux' || process.arch !== 'x64') throw new Error(`the kit is Linux x64; this is ${process.platform}-${process.arch}`);
  if (!existsSync(join(root, 'dist/index.js'))) throw new Error('dist/index.js is missing: run `npm run kit` (it builds first)');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, 'app'), { recursive: true });

  // 1. The benchmark (CLI and Node worker) and the built library, bundled into plain JavaScript.
  // `webgpu` stays a package next to the bundles: its addon is loaded by path.
  const bundled = build(kitBundleOptions(root, join(out, 'app')));
  return void bundled.then(() => finish(), (e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}

function finish(): void {
  // The bench checks the built library is there (it is also inlined in the bundles).
  mkdirSync(join(out, 'dist'));
  copyFileSync(join(root, 'dist/index.js'), join(out, 'dist/index.js'));
  copyFileSync(join(root, 'bench/copy.wgsl'), join(out, 'copy.wgsl'));

  // 2. The `webgpu` package: its loader and the Linux x64 Dawn addon (gzipped).
  const pkg = join(root, 'node_modules/webgpu');
  const kitPkg = join(out, 'app/node_modules/webgpu');
  mkdirSync(join(kitPkg, 'dist/linux-x64'), { recursive: true });
  for (const f of ['package.json', 'index.js', 'LICENSE.md']) copyFileSync(join(pkg, f), join(kitPkg, f));
  writeFileSync(join(kitPkg, 'dist/linux-x64/dawn.node.gz'), gzipSync(readFileSync(join(pkg, 'dist/linux-x64/dawn.node')), { level: 9 }));

  // 3. The node binary running this script (gzipped).
  writeFileSync(join(out, 'node.gz'), gzipSync(readFileSync(process.execPath), { level: 9 }));

  // 4. Debian's Vulkan loader, unpacked by run.sh only where the machine has none.
  let deb = downloadLoader;
  if (values.deb) {
    const given = resolve(process.env.INIT_CWD ?? process.cwd(), values.deb);
    deb = () => (copyFileSync(given, join(out, 'given.deb')), join(out, 'given.deb'));
  }
  const debName = (values.deb ?? '').split('/').pop() || '';
  const file = deb();
  const loaderVersion = debName || file.split('/').pop()!;
  renameSync(file, join(out, 'libvulkan1.deb'));

  // 5. run.sh, the instructions, and what was built.
  copyFileSync(join(here, 'run.sh'), join(out, 'run.sh'));
  chmodSync(join(out, 'run.sh'), 0o755);
  copyFileSync(join(here, 'unpack-deb.mjs'), join(out, 'app/unpack-deb.mjs'));
  copyFileSync(join(here, 'find-icd.mjs'), join(out, 'app/find-icd.mjs'));
  copyFileSync(join(here, 'README.txt'), join(out, 'README.txt'));
  const commit = git(['rev-parse', '--short', 'HEAD']);
  writeFileSync(join(out, 'VERSION'), `webgpu-norm ${commit}${git(['status', '--porcelain']) ? ' (with uncommitted changes)' : ''}, built ${new Date().toISOString()}, node ${process.version}, Vulkan loader ${loaderVersion}\n`);

  const bytes = folderBytes(out);
  console.log(`gpu kit: ${out} (${(bytes / 2 ** 20).toFixed(1)} MiB)`);
  if (bytes > MAX_BYTES) throw new Error(`the kit is ${(bytes / 2 ** 20).toFixed(1)} MiB, over the 60 MiB limit`);
}

/** `apt-get download libvulkan1` (or a copy of `--deb`) into the kit; the .deb's path. */
function downloadLoader(): string {
  try {
    execFileSync('apt-get', ['download', 'libvulkan1'], { cwd: out, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    throw new Error(`apt-get download libvulkan1 failed (${(e as Error).message.split('\n')[0]}); pass a Debian/Ubuntu libvulkan1 .deb with --deb FILE`);
  }
  const file = readdirSync(out).find((f) => f.startsWith('libvulkan1_') && f.endsWith('.deb'));
  if (!file) throw new Error('apt-get download libvulkan1 wrote no .deb');
  return join(out, file);
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

function folderBytes(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    total += e.isDirectory() ? folderBytes(p) : statSync(p).size;
  }
  return total;
}

main();
