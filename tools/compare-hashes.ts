/**
 * Compares two OUTPUT_HASHES files (see test/gpu/output-hashes.ts): prints how many cases match,
 * differ, or appear in one file only, and exits 1 if any case present in both differs.
 *
 *   OUTPUT_HASHES=/tmp/before.json npx vitest run --project gpu   # on the old code
 *   OUTPUT_HASHES=/tmp/after.json  npx vitest run --project gpu   # on the new code
 *   npx tsx tools/compare-hashes.ts /tmp/before.json /tmp/after.json
 */
import { readFileSync } from 'node:fs';

const [a, b] = process.argv.slice(2).map((f) => JSON.parse(readFileSync(f!, 'utf8')) as Record<string, string>);
if (!a || !b) {
  console.error('usage: tsx tools/compare-hashes.ts before.json after.json');
  process.exit(2);
}
let same = 0;
const differ: string[] = [];
for (const [k, v] of Object.entries(a)) if (k in b) (b[k] === v ? same++ : differ.push(k));
const onlyA = Object.keys(a).filter((k) => !(k in b));
const onlyB = Object.keys(b).filter((k) => !(k in a));
console.log(`identical: ${same}, different: ${differ.length}, only in the first: ${onlyA.length}, only in the second: ${onlyB.length}`);
for (const k of differ) console.log(`  differs: ${k}`);
for (const k of onlyA.slice(0, 20)) console.log(`  only in the first: ${k}`);
for (const k of onlyB.slice(0, 20)) console.log(`  only in the second: ${k}`);
process.exit(differ.length ? 1 : 0);
