import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deleteCheckpoint, readCheckpoint, writeCheckpoint } from '../src/checkpoint.js';
import { UsageError } from '../src/usage-error.js';

const dir = mkdtempSync(join(tmpdir(), 'supportdesk-checkpoint-'));
const input = { name: 'users.jsonl', path: '/data/users.jsonl', size: 1234 };

describe('the checkpoint file', () => {
  it('is absent before the first run', () => {
    expect(readCheckpoint(join(dir, 'none.json'), input)).toBeUndefined();
  });

  it('records the input path, its size and completed, and is read back', () => {
    const file = join(dir, 'a.json');
    writeCheckpoint(file, input, 500);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({
      version: 1,
      input: { path: '/data/users.jsonl', size: 1234 },
      completed: 500,
    });
    expect(readCheckpoint(file, input)?.completed).toBe(500);
    deleteCheckpoint(file);
    expect(readCheckpoint(file, input)).toBeUndefined();
  });

  it('records stdin as - with no size', () => {
    const file = join(dir, 'stdin.json');
    const stdin = { name: '-', path: '-', size: undefined };
    writeCheckpoint(file, stdin, 3);
    expect(readCheckpoint(file, stdin)?.input).toEqual({ path: '-', size: null });
  });

  it.each([
    [
      'another input',
      { ...input, path: '/data/other.jsonl' },
      /is for another input \(\/data\/users.jsonl\)/,
    ],
    [
      'a changed input',
      { ...input, size: 99 },
      /changed since the checkpoint .* was written \(1234 bytes, now 99\)/,
    ],
  ])('refuses a checkpoint for %s', (_, other, message) => {
    const file = join(dir, 'b.json');
    writeCheckpoint(file, input, 1);
    expect(() => readCheckpoint(file, other)).toThrow(UsageError);
    expect(() => readCheckpoint(file, other)).toThrow(message);
  });

  it.each([
    ['not json'],
    ['{"version":2}'],
    ['{"version":1,"input":{"path":"/data/users.jsonl"},"completed":-1}'],
  ])('refuses a file that is not a checkpoint: %s', (text) => {
    const file = join(dir, 'c.json');
    writeFileSync(file, text);
    expect(() => readCheckpoint(file, input)).toThrow(/remove it to start over/);
  });
});
