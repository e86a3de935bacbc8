import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CustomerEmailExistsError, type ImportFailure, SupportDeskValidationError } from '@supportdesk/core';
import { describe, expect, it } from 'vitest';
import { ErrorsOutput, entryOf } from '../src/errors-output.js';
import type { InputRow } from '../src/input/row.js';

const dir = mkdtempSync(join(tmpdir(), 'supportdesk-errors-'));
const failure = (index: number, user: InputRow, error = new CustomerEmailExistsError('email taken')) =>
  ({ index, user, externalId: `u${index}`, error }) as ImportFailure<InputRow>;
const lines = (file: string) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));

describe('the errors file', () => {
  it('holds the line, index, id, error and the row as parsed', () => {
    expect(entryOf(failure(3, { line: 5, bytes: 0, value: { id: 'u3' } }))).toEqual({
      line: 5,
      index: 3,
      externalId: 'u3',
      error: { code: 'CUSTOMER_EMAIL_EXISTS', message: 'email taken' },
      row: { id: 'u3' },
    });
  });

  it('holds the raw text and a PARSE_ERROR for a row that did not parse', () => {
    const row = { line: 9, bytes: 0, unparsed: { text: '{oops', problem: 'not valid JSON: x' } };
    const entry = entryOf({ index: 7, user: row, error: new SupportDeskValidationError('mapUser failed') });
    expect(entry).toEqual({
      line: 9,
      index: 7,
      error: { code: 'PARSE_ERROR', message: 'line 9: not valid JSON: x' },
      row: '{oops',
    });
  });

  it('writes rows in input order, only those before the resume point', () => {
    const file = join(dir, 'ordered.jsonl');
    const output = new ErrorsOutput(file, false);
    output.add(failure(4, { line: 5, bytes: 0, value: {} }));
    output.add(failure(1, { line: 2, bytes: 0, value: {} }));
    output.flush(3);
    expect(lines(file).map((entry) => entry.index)).toEqual([1]);
    output.flush(10);
    output.close();
    expect(lines(file).map((entry) => entry.index)).toEqual([1, 4]);
    expect(output.written).toBe(2);
  });

  it('starts afresh on a new run and appends on a resumed one', () => {
    const file = join(dir, 'resume.jsonl');
    writeFileSync(file, '{"old":true}\n');
    const fresh = new ErrorsOutput(file, false);
    expect(existsSync(file)).toBe(false);
    fresh.add(failure(0, { line: 1, bytes: 0, value: {} }));
    fresh.flush(1);
    fresh.close();
    const resumed = new ErrorsOutput(file, true);
    resumed.add(failure(5, { line: 6, bytes: 0, value: {} }));
    resumed.flush(6);
    resumed.close();
    expect(lines(file).map((entry) => entry.index)).toEqual([0, 5]);
  });
});
