/**
 * The GPU kit's pieces that run on the target machine without the repository: the .deb unpacker
 * (a .deb is an `ar` archive holding data.tar.*) and run.sh's usage line.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';

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

test('run.sh without arguments prints its usage and exits 2', () => {
  const r = spawnSync('bash', [join(kit, 'run.sh')], { encoding: 'utf8' });
  expect(r.status).toBe(2);
  expect(r.stdout).toContain('./run.sh <icd.json> <out-dir> [bench options]');
});
