import { describe, expect, it } from 'vitest';
import { csvRows } from '../../src/input/csv.js';
import { chunked, collect } from './support.js';

const lines = (rows: { line: number }[]) => rows.map((row) => row.line);

describe('csvRows', () => {
  it('names fields by the header and numbers lines from it (the header is line 1)', async () => {
    const rows = await collect(
      csvRows(chunked('id,name,email\nu1,Ada,ada@example.com\nu2,Bob,bob@example.com\n')),
    );
    expect(rows.map(({ line, value }) => ({ line, value }))).toEqual([
      { line: 2, value: { id: 'u1', name: 'Ada', email: 'ada@example.com' } },
      { line: 3, value: { id: 'u2', name: 'Bob', email: 'bob@example.com' } },
    ]);
    expect(rows[1]?.bytes).toBe(
      Buffer.byteLength('id,name,email\nu1,Ada,ada@example.com\nu2,Bob,bob@example.com\n'),
    );
  });

  it('follows RFC 4180: quoted fields with commas, doubled quotes and newlines; CRLF; a BOM', async () => {
    const text = '\uFEFFid,name\r\nu1,"Lovelace, Ada"\r\nu2,"Say ""hi""\r\non two lines"\r\nu3,Plain\r\n';
    const rows = await collect(csvRows(chunked(text, 5)));
    expect(rows.map((row) => row.value)).toEqual([
      { id: 'u1', name: 'Lovelace, Ada' },
      { id: 'u2', name: 'Say "hi"\r\non two lines' },
      { id: 'u3', name: 'Plain' },
    ]);
    expect(lines(rows)).toEqual([2, 3, 5]);
  });

  it('skips blank lines, still counting them', async () => {
    expect(lines(await collect(csvRows(chunked('id\n\nu1\n\n\nu2\n'))))).toEqual([3, 6]);
  });

  it('makes a malformed record a row that did not parse, in order, at its first line, and reads on', async () => {
    const text = 'id,name\nu1,Ada\nu2,bad"quote\nu3,too,many\nu4,Ok\nu5,"never closed\nu6,x\n';
    const rows = await collect(csvRows(chunked(text)));
    expect(
      rows.map(({ line, value, unparsed }) => ({ line, ok: value !== undefined, text: unparsed?.text })),
    ).toEqual([
      { line: 2, ok: true, text: undefined },
      { line: 3, ok: false, text: 'u2,bad"' },
      { line: 4, ok: false, text: 'u3,too,many' },
      { line: 5, ok: true, text: undefined },
      { line: 6, ok: false, text: 'u5,"never closed\nu6,x' },
    ]);
    expect(rows[2]?.unparsed?.problem).toMatch(/Invalid Record Length/);
    expect(rows[4]?.unparsed?.problem).toMatch(/Quote Not Closed/);
  });
});

describe('csvRows line numbers after a quoted field with CRLF line breaks', () => {
  it('numbers a skipped record by its own first line', async () => {
    const text = 'id,name\r\nu1,"two\r\nlines"\r\nu2,too,many\r\nu3,"three\r\nmore\r\nlines"\r\nu4,"open\r\n';
    const rows = await collect(csvRows(chunked(text, 6)));
    expect(rows.map(({ line, value }) => ({ line, ok: value !== undefined }))).toEqual([
      { line: 2, ok: true },
      { line: 4, ok: false },
      { line: 5, ok: true },
      { line: 8, ok: false },
    ]);
  });
});
