/**
 * With `OUTPUT_HASHES=file.json`, the GPU case tables record each case's output digest (see
 * test/shared/output-hash.ts) in that file, keyed by case name, merged across test files. Used to
 * show that a change leaves every output bit-identical: `tsx tools/compare-hashes.ts a.json b.json`.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const recorded: Record<string, string> = {};

/** Remembers one case's digest (no-op unless OUTPUT_HASHES is set). */
export function recordHash(caseName: string, hash: string): void {
  if (process.env.OUTPUT_HASHES) recorded[caseName] = hash;
}

/** Merges this file's digests into the OUTPUT_HASHES file (call from afterAll). */
export function flushHashes(): void {
  const file = process.env.OUTPUT_HASHES;
  if (!file || Object.keys(recorded).length === 0) return;
  const old = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : {};
  writeFileSync(file, JSON.stringify({ ...old, ...recorded }, null, 0));
}
