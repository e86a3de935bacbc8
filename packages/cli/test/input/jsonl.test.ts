import { describe, expect, it } from 'vitest';
import { jsonlRows, MAX_LINE_BYTES } from '../../src/input/jsonl.js';
import { chunked, collect } from './support.js';

describe('jsonlRows', () => {
  it('reads one object a line, with 1-based line numbers and the bytes read so far', async () => {
    const text = '{"id":1}\n{"id":"é"}\n';
    expect(await collect(jsonlRows(chunked(text, 3)))).toEqual([
      { line: 1, bytes: 9, value: { id: 1 } },
      { line: 2, bytes: Buffer.byteLength(text), value: { id: 'é' } },
    ]);
  });

  it('ignores blank lines, accepts CRLF, a leading BOM and a last line without a newline', async () => {
    const rows = await collect(jsonlRows(chunked('\uFEFF{"a":1}\r\n\r\n   \n{"a":2}')));
    expect(rows.map(({ line, value }) => ({ line, value }))).toEqual([
      { line: 1, value: { a: 1 } },
      { line: 4, value: { a: 2 } },
    ]);
  });

  it.each([
    ['{"a":', /not valid JSON/],
    ['[1,2]', /must be a JSON object \(got an array\)/],
    ['42', /got number/],
    ['null', /got null/],
  ])('makes %s a row that did not parse, keeping its text, and reads on', async (line, problem) => {
    const rows = await collect(jsonlRows(chunked(`{"id":1}\n${line}\n{"id":3}\n`)));
    expect(rows).toHaveLength(3);
    expect(rows[1]).toMatchObject({ line: 2, unparsed: { text: line } });
    expect(rows[1]?.unparsed?.problem).toMatch(problem);
    expect(rows[2]).toMatchObject({ line: 3, value: { id: 3 } });
  });

  it('turns a line over the size limit into a row that did not parse, without holding it', async () => {
    const long = `{"id":"${'x'.repeat(MAX_LINE_BYTES)}"}`;
    const rows = await collect(jsonlRows(chunked(`${long}\n{"id":2}\n`, 1024 * 1024)));
    expect(rows[0]?.unparsed?.problem).toMatch(/longer than 8 MB/);
    expect(rows[0]?.unparsed?.text.length).toBeLessThan(5_000);
    expect(rows[1]).toMatchObject({ line: 2, value: { id: 2 } });
  });
});
