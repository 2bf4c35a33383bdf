/**
 * The bad-input table (test/gpu/harness/bad-input-table.ts): every row is a distinct mistake for
 * one op and form, run in the page inside a validation error scope. Each must be refused with a
 * NormError of the row's code, naming the argument and saying what was expected, before anything
 * reaches the device: the scope (and the submit of the kit's encoders after the call) stays empty.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { badInputs } from './harness/bad-input-table.js';
import type { ReliabilityHarness } from './harness/harness.js';
import { openHarness, type HarnessPage } from './page.js';
import { opsOf } from '../../src/ops/table.js';

let h: HarnessPage;
let tried = 0;

beforeAll(async () => {
  h = await openHarness();
});
afterAll(async () => {
  expect(h.errors, 'console errors in the harness page').toEqual([]);
  const ops = new Set(badInputs.map((b) => b.op));
  const codes = new Set(badInputs.map((b) => b.code));
  console.log(`bad-input table: ${tried} distinct bad inputs tried across ${ops.size} ops (${[...ops].join(', ')}), ${codes.size} codes (${[...codes].join(', ')})`);
  await h.close();
});

test('the table has 40+ distinct rows', () => {
  expect(new Set(badInputs.map((b) => b.id)).size).toBe(badInputs.length);
  expect(badInputs.length).toBeGreaterThanOrEqual(40);
});

test('every row-norm op of the op table has typed-array, encode and lifecycle rows', () => {
  for (const op of opsOf('row-norm')) {
    for (const form of ['convenience', 'encode'] as const) expect(badInputs.some((b) => b.op === op && b.form === form), `${op} ${form}`).toBe(true);
  }
  expect(new Set(badInputs.filter((b) => b.form === 'lifecycle').map((b) => b.op))).toEqual(new Set([...opsOf('row-norm'), 'tune']));
});

describe.each(['convenience', 'encode', 'tune', 'lifecycle'] as const)('%s', (form) => {
  test.each(badInputs.filter((b) => b.form === form).map((b) => [b.id, b] as const))('%s', async (id, row) => {
    const r = await h.run((harness, id: string) => (harness as ReliabilityHarness).runBadInput(id), id);
    tried++;
    expect(r.error, 'a NormError').toEqual(expect.objectContaining({ code: row.code, argument: row.argument }));
    const message = (r.error as { message: string }).message;
    if (row.argument) expect(message.startsWith(`${row.argument}: `), `message names the argument: ${message}`).toBe(true);
    if (row.says) expect(message).toMatch(row.says);
    expect(r.validationError, 'validation error scope').toBeNull();
    expect(r.uncapturedErrors, 'uncaptured GPU errors').toEqual([]);
  });
});
