/**
 * The package's declarations as a user's compiler sees them: a fresh app directory with the
 * package (its `files`, as `npm pack` ships them) and its `@webgpu/types` peer in node_modules,
 * type-checked in strict mode WITHOUT skipLibCheck, for each TypeScript at hand and each module
 * resolution users pick. TypeScript 6 is the project's own; TypeScript 5.x and 7 run when the
 * devDependencies `typescript-5` (npm:typescript@5.9.x) and `@typescript/native-preview` are
 * installed, or from `TSC_5` / `TSC_7` (paths to a tsc / tsgo binary). Runs after `npm run build`.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** A compiler's binary, or undefined when it is not installed. */
function compiler(env: string | undefined, ...candidates: string[]): string | undefined {
  if (env) return env;
  return candidates.map((c) => join(root, 'node_modules', c)).find((p) => existsSync(p));
}

const COMPILERS: [string, string | undefined][] = [
  ['TypeScript 5.x', compiler(process.env.TSC_5, 'typescript-5/bin/tsc')],
  ['TypeScript 6', compiler(undefined, 'typescript/bin/tsc')],
  ['TypeScript 7 (tsgo)', compiler(process.env.TSC_7, '@typescript/native-preview/bin/tsgo')],
];

/** What a user writes: every typed-array op and cpu.* with TensorData, f16 results typed as such. */
const GOOD_APP = `
import { createNormalizer, createLeanNormalizer, rowNormKernels, cpu, NormError, toF16Array, type TensorData } from 'webgpu-norm';

declare const x: TensorData;
const norm = await createNormalizer({ debug: true });
const lean = await createLeanNormalizer({ kernels: [rowNormKernels] });
const s = new Float32Array(2);
const results = [
  await norm.layerNorm(x, { cols: 4 }),
  await norm.rmsNorm(x, { cols: 4 }),
  await norm.addLayerNorm(x, x, { cols: 4 }),
  await norm.addRmsNorm(x, x, { cols: 4 }),
  await norm.layerNormBackward(x, x, { cols: 4, mean: s, rstd: s }),
  await norm.rmsNormBackward(x, x, { cols: 4, rstd: s }),
  await norm.lpNorm(x, { cols: 4 }),
  await norm.groupNorm(x, { batch: 1, channels: 2, spatial: 2, layout: 'NCHW', groups: 1 }),
  await lean.layerNorm(x, { cols: 4 }),
  cpu.layerNorm(x, { cols: 4 }),
  cpu.rmsNorm(x, { cols: 4 }),
  cpu.addLayerNorm(x, x, { cols: 4 }),
  cpu.addRmsNorm(x, x, { cols: 4 }),
  cpu.layerNormBackward(x, x, { cols: 4, mean: s, rstd: s }),
  cpu.rmsNormBackward(x, x, { cols: 4, rstd: s }),
];
const half: Uint16Array = (await norm.rmsNorm(toF16Array([1, 2, 3, 4]), { cols: 4 })).y;
const full: Float32Array = (await norm.layerNorm(new Float32Array(4), { cols: 4 })).y;
const sum: Uint16Array = cpu.addRmsNorm(new Uint16Array(4), new Uint16Array(4), { cols: 4 }).sum;
const buffer: GPUBuffer = norm.device.createBuffer({ size: 16, usage: 0x80 /* STORAGE */ });
try {
  norm.encodeLayerNorm(norm.device.createCommandEncoder(), { x: buffer, y: buffer, rows: 1, cols: 4 });
} catch (e) {
  if (e instanceof NormError && e.code === 'op-not-loaded') console.log(e.argument);
}
console.log(results, half, full, sum);
`;

/** Each line holds one mistake: its error must be the only one on that line and name the key. */
const MISSPELLED = [
  [`await norm.layerNorm(x, { cols: 4, eps: 1e-3 });`, 'eps'],
  [`await norm.rmsNorm(h, { cols: 4, gama: x });`, 'gama'],
  [`await norm.addLayerNorm(x, x, { cols: 4, epsilonMode: 'inside-sqrt', betta: x });`, 'betta'],
  [`cpu.layerNorm(h, { cols: 4, epsilon: 1e-5, unbaised: true });`, 'unbaised'],
  [`cpu.rmsNormBackward(x, x, { cols: 4, rstd: x, gamaOffset: 1 });`, 'gamaOffset'],
  [`await norm.lpNorm(h, { cols: 4, P: 1 });`, 'P'],
  [`await norm.groupNorm(x, { batch: 1, channels: 2, spatial: 4, layout: 'NCHW', groups: 1, epsilom: 1e-5 });`, 'epsilom'],
  [`norm.encodeRmsNorm(norm.device.createCommandEncoder(), { x: buffer, y: buffer, rows: 1, cols: 4, gamma_offset: 1 });`, 'gamma_offset'],
] as const;

const MISSPELLED_APP = `
import { createNormalizer, cpu } from 'webgpu-norm';
const norm = await createNormalizer();
const x = new Float32Array(8);
const h = new Uint16Array(8);
declare const buffer: GPUBuffer;
${MISSPELLED.map(([line]) => line).join('\n')}
`;

const RESOLUTIONS = [
  { moduleResolution: 'Bundler', module: 'ESNext' },
  { moduleResolution: 'NodeNext', module: 'NodeNext' },
] as const;

let app: string;

beforeAll(() => {
  app = mkdtempSync(join(tmpdir(), 'webgpu-norm-types-'));
  const pkg = join(app, 'node_modules', 'webgpu-norm');
  mkdirSync(pkg, { recursive: true });
  // What npm pack ships (package.test.ts holds the tarball to this list).
  cpSync(join(root, 'package.json'), join(pkg, 'package.json'));
  cpSync(join(root, 'dist'), join(pkg, 'dist'), { recursive: true, filter: (src) => !src.endsWith('.map') });
  cpSync(join(root, 'types'), join(pkg, 'types'), { recursive: true });
  // The peer dependency, as npm 7+ installs it next to the package.
  cpSync(join(root, 'node_modules', '@webgpu', 'types'), join(app, 'node_modules', '@webgpu', 'types'), { recursive: true });
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  writeFileSync(join(app, 'good.ts'), GOOD_APP);
  writeFileSync(join(app, 'misspelled.ts'), MISSPELLED_APP);
});

afterAll(() => {
  if (app) rmSync(app, { recursive: true, force: true });
});

interface TsError {
  where: string;
  line: number;
  code: string;
  text: string;
}

/** The errors of `bin` on `files` under `resolution`, strict, no skipLibCheck. */
function typecheck(bin: string, files: string[], resolution: (typeof RESOLUTIONS)[number]): TsError[] {
  const config = join(app, `tsconfig.${resolution.moduleResolution}.json`);
  writeFileSync(
    config,
    JSON.stringify({
      compilerOptions: { target: 'ES2022', lib: ['ES2022', 'DOM'], strict: true, noEmit: true, skipLibCheck: false, types: [], ...resolution },
      files,
    }),
  );
  let out = '';
  try {
    out = execFileSync(bin, ['-p', config, '--pretty', 'false'], { cwd: app, encoding: 'utf8' });
  } catch (e) {
    out = String((e as { stdout?: string }).stdout ?? e);
  }
  return out
    .split('\n')
    .map((l) => /^(.*?)\((\d+),\d+\): error (TS\d+): (.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ where: m[1]!, line: Number(m[2]), code: m[3]!, text: m[4]! }));
}

/** tsc on a cold, shared two-core machine takes 10-20 s per run: one run per compiler and resolution. */
const TIMEOUT = 120_000;

describe.each(COMPILERS)('%s', (name, bin) => {
  // Bundler resolution checks both apps in one run; NodeNext the real app.
  const runs = new Map<string, TsError[]>();
  const errorsOf = (resolution: (typeof RESOLUTIONS)[number]) => {
    const key = resolution.moduleResolution;
    if (!runs.has(key)) runs.set(key, typecheck(bin!, key === 'Bundler' ? ['good.ts', 'misspelled.ts'] : ['good.ts'], resolution));
    return runs.get(key)!;
  };

  test.skipIf(bin === undefined).each(RESOLUTIONS)('strict, no skipLibCheck, $moduleResolution: a real app has no errors', (resolution) => {
    expect(errorsOf(resolution).filter((e) => e.where !== 'misspelled.ts'), name).toEqual([]);
  }, TIMEOUT);

  test.skipIf(bin === undefined)('each misspelled option key is one error on its line, naming the key', () => {
    const errors = errorsOf(RESOLUTIONS[0]).filter((e) => e.where === 'misspelled.ts');
    const firstLine = MISSPELLED_APP.split('\n').indexOf(MISSPELLED[0][0]) + 1;
    MISSPELLED.forEach(([, key], i) => {
      const onLine = errors.filter((e) => e.line === firstLine + i);
      expect(onLine, `${key}: ${JSON.stringify(errors)}`).toHaveLength(1);
      expect(onLine[0]!.text).toContain(`'${key}'`);
    });
    expect(errors).toHaveLength(MISSPELLED.length);
  }, TIMEOUT);
});

test('the TypeScript 5.x declarations are the package entry plus the @webgpu/types reference', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { peerDependencies: Record<string, string>; exports: Record<string, Record<string, string>> };
  expect(Object.keys(pkg.exports['.']!)).toEqual(['types@<6.0', 'types', 'import']);
  expect(pkg.peerDependencies['@webgpu/types']).toBeDefined();
  expect(readFileSync(join(root, pkg.exports['.']!['types@<6.0']!), 'utf8')).toMatch(/\/\/\/ <reference types="@webgpu\/types" \/>\nexport \* from '\.\.\/dist\/index\.js';/);
});
