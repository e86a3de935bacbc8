import { describe, expect, it } from 'vitest';
import { parseImportArgs } from '../src/args.js';
import { UsageError } from '../src/usage-error.js';

describe('parseImportArgs', () => {
  it('reads every option of supportdesk import', () => {
    expect(
      parseImportArgs([
        'users.csv',
        '--format=csv',
        '--map',
        './map.js',
        '--concurrency',
        '16',
        '--max-per-second',
        '2.5',
        '--errors',
        'bad.jsonl',
        '--dry-run',
        '--base-url',
        'http://127.0.0.1:4010/api/v1',
        '--redis',
        'redis://127.0.0.1:6379',
        '--json',
        '--skip',
        '10',
      ]),
    ).toEqual({
      input: 'users.csv',
      format: 'csv',
      map: './map.js',
      concurrency: 16,
      maxPerSecond: 2.5,
      checkpoint: undefined,
      skip: 10,
      errors: 'bad.jsonl',
      dryRun: true,
      baseUrl: 'http://127.0.0.1:4010/api/v1',
      redis: 'redis://127.0.0.1:6379',
      json: true,
    });
  });

  it('takes - for stdin and answers help', () => {
    expect(parseImportArgs(['-'])).toMatchObject({ input: '-', dryRun: false, json: false });
    expect(parseImportArgs(['--help'])).toBe('help');
    expect(parseImportArgs(['x.jsonl', '-h'])).toBe('help');
  });

  it.each([
    [[], /which file\?/],
    [['a.jsonl', 'b.jsonl'], /one input at a time/],
    [['a.jsonl', '--colour'], /^unknown option --colour \(see supportdesk import --help\)$/],
    [['a.jsonl', '--format', 'xml'], /--format must be jsonl, csv or json/],
    [['a.jsonl', '--concurrency', '0'], /--concurrency must be a whole number from 1 to 1,000/],
    [['a.jsonl', '--concurrency', '2.5'], /--concurrency must be a whole number/],
    [['a.jsonl', '--max-per-second=-1'], /--max-per-second must be a number above 0/],
    [
      ['a.jsonl', '--max-per-second', '-1'],
      /--max-per-second needs a value \(one starting with - goes as --max-per-second=-…\)/,
    ],
    [['a.jsonl', '--skip', 'ten'], /--skip must be a whole number/],
    [['a.jsonl', '--checkpoint', 'c.json', '--skip', '5'], /--checkpoint and --skip do not go together/],
    [['a.jsonl', '--map'], /--map needs a value/],
  ])('refuses %j with one line', (argv, message) => {
    expect(() => parseImportArgs(argv)).toThrow(UsageError);
    expect(() => parseImportArgs(argv)).toThrow(message);
    try {
      parseImportArgs(argv);
    } catch (error) {
      expect((error as Error).message).not.toContain('\n');
    }
  });
});
