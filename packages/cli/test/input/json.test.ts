import { describe, expect, it } from 'vitest';
import { jsonRows } from '../../src/input/json.js';
import { InputError } from '../../src/input/row.js';
import { chunked, collect } from './support.js';

describe('jsonRows', () => {
  it('reads each element of one array, with the line it starts on', async () => {
    const text = '[\n  {"id": 1, "tags": ["a", "b"]},\n  {"id": 2,\n   "name": "x, ] } {"}\n]\n';
    const rows = await collect(jsonRows(chunked(text, 4)));
    expect(rows.map(({ line, value }) => ({ line, value }))).toEqual([
      { line: 2, value: { id: 1, tags: ['a', 'b'] } },
      { line: 3, value: { id: 2, name: 'x, ] } {' } },
    ]);
  });

  it('handles escaped quotes and backslashes inside strings', async () => {
    const rows = await collect(jsonRows(chunked('[{"a":"q\\"uote, \\\\"},{"a":"\\\\"}]', 3)));
    expect(rows.map((row) => row.value)).toEqual([{ a: 'q"uote, \\' }, { a: '\\' }]);
  });

  it('makes a broken or non-object element a row that did not parse, and reads on', async () => {
    const rows = await collect(jsonRows(chunked('[{"id":1},\n{"id": oops},\n"text",\n{"id":4}]')));
    expect(rows.map(({ line, unparsed }) => ({ line, text: unparsed?.text }))).toEqual([
      { line: 1, text: undefined },
      { line: 2, text: '{"id": oops}' },
      { line: 3, text: '"text"' },
      { line: 4, text: undefined },
    ]);
  });

  it('reads an empty array as no rows', async () => {
    expect(await collect(jsonRows(chunked(' [ ] ')))).toEqual([]);
  });

  it.each([['{"id":1}'], ['']])('refuses an input that is not one array: %j', async (text) => {
    await expect(collect(jsonRows(chunked(text)))).rejects.toThrow(InputError);
  });
});
