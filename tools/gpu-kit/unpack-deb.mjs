// Unpacks a Debian package's files (data.tar.*) into a folder, for machines without dpkg-deb or
// ar: a .deb is an `ar` archive, read here; the tar inside is unpacked by the system's tar.
// node unpack-deb.mjs <file.deb> <dir>
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [deb, dir] = process.argv.slice(2);
const bytes = readFileSync(deb);
if (bytes.toString('ascii', 0, 8) !== '!<arch>\n') throw new Error(`${deb} is not a .deb (ar) archive`);
let offset = 8;
let found = false;
while (offset + 60 <= bytes.length) {
  const name = bytes.toString('ascii', offset, offset + 16).trim().replace(/\/$/, '');
  const size = Number.parseInt(bytes.toString('ascii', offset + 48, offset + 58).trim(), 10);
  const start = offset + 60;
  if (name.startsWith('data.tar')) {
    const tar = join(dir, name);
    writeFileSync(tar, bytes.subarray(start, start + size));
    try {
      execFileSync('tar', ['-xf', tar, '-C', dir], { stdio: 'inherit' });
    } catch (e) {
      throw new Error(`could not unpack ${name} with tar (${name.endsWith('.xz') ? 'it needs xz: install xz-utils, or libvulkan1 itself' : e.message})`);
    }
    rmSync(tar);
    found = true;
  }
  offset = start + size + (size % 2);
}
if (!found) throw new Error(`${deb} holds no data.tar`);
