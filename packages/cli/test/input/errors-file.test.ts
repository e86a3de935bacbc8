import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { isErrorEntry, unwrapErrorsFile } from '../../src/input/errors-file.js';
import type { InputRow } from '../../src/input/row.js';
import { collect } from './support.js';

const entry = (row: unknown, line = 2) => ({
  line,
  index: line - 2,
  externalId: 'u1',
  error: { code: 'CUSTOMER_EMAIL_EXISTS', message: 'email taken' },
  row,
});
const rows = (values: unknown[]): AsyncIterable<InputRow> =>
  Readable.from(values.map((value, i) => ({ line: i + 1, bytes: i, value })));

describe('an errors file given back as the input', () => {
  it('recognises an entry by its line, index, error and row', () => {
    expect(isErrorEntry(entry({ id: 'u1' }))).toBe(true);
    expect(isErrorEntry({ id: 'u1', error: 'x', row: 1 })).toBe(false);
    expect(isErrorEntry({ line: 1, index: 0, error: { message: 'x' } })).toBe(false);
  });

  it('is read as the rows it holds, each at its own line of the errors file', async () => {
    const read = await collect(unwrapErrorsFile(rows([entry({ id: 'u1' }), entry({ id: 'u2' }, 5)])));
    expect(read).toEqual([
      { line: 1, bytes: 0, value: { id: 'u1' } },
      { line: 2, bytes: 1, value: { id: 'u2' } },
    ]);
  });

  it('reads a raw-text row fixed into a JSON object, and keeps one still broken invalid', async () => {
    const read = await collect(unwrapErrorsFile(rows([entry('{"id":"fixed"}'), entry('{still broken')])));
    expect(read[0]).toMatchObject({ value: { id: 'fixed' } });
    expect(read[1]).toMatchObject({ unparsed: { text: '{still broken' } });
    expect(read[1]?.unparsed?.problem).toMatch(/email taken/);
  });

  it('leaves an ordinary input as it is', async () => {
    const values = [{ id: 'u1', error: 'none', row: 3 }, entry({ id: 'u2' })];
    expect((await collect(unwrapErrorsFile(rows(values)))).map((row) => row.value)).toEqual(values);
  });
});
