import { describe, expect, it } from 'vitest';
import { configObject, flag, func, integer, milliseconds, parseConfig, shaped, text } from '../src/config.js';
import { SupportDeskConfigError } from '../src/errors.js';

const schema = configObject(
  {
    retries: integer('retries', { min: 0, max: 5, fallback: 2 }),
    waitMs: milliseconds('waitMs', 1, 100),
    name: text('name', '"my-app"').optional(),
    enabled: flag('enabled'),
    onDone: func('onDone', '() => void').optional(),
    store: shaped<{ get: () => void }>(
      'store',
      (value) => typeof value.get === 'function',
      'a store with get',
    ).optional(),
  },
  'ExampleOptions',
);
const DEFAULTS = { retries: 2, waitMs: 100, enabled: true };

function problem(options: unknown): string {
  try {
    parseConfig('new Example', schema, options, DEFAULTS);
  } catch (error) {
    expect(error).toBeInstanceOf(SupportDeskConfigError);
    return (error as Error).message;
  }
  throw new Error('expected parseConfig to throw');
}

describe('parseConfig', () => {
  it('merges the defaults under what was given', () => {
    expect(parseConfig('new Example', schema, { retries: 4 }, DEFAULTS)).toEqual({
      retries: 4,
      waitMs: 100,
      enabled: true,
    });
  });

  it('treats a key set to undefined as not given', () => {
    expect(parseConfig('new Example', schema, { retries: undefined, name: undefined }, DEFAULTS)).toEqual(
      DEFAULTS,
    );
  });

  it('takes no options at all as the defaults', () => {
    expect(parseConfig('new Example', schema, undefined, DEFAULTS)).toEqual(DEFAULTS);
  });

  it.each([[null], ['options'], [42], [[1, 2]]])(
    'refuses %j as the options object, naming the caller',
    (options) => {
      expect(problem(options)).toMatch(/^new Example: the options must be an object \(got .+\)$/);
    },
  );

  it('names the caller, the option, its range, what was given and the default', () => {
    expect(problem({ retries: 9 })).toBe(
      'new Example: retries must be an integer from 0 to 5 (got 9); the default is 2',
    );
  });

  it('says "at least" for a duration with no upper bound worth naming, with its unit', () => {
    expect(problem({ waitMs: 0 })).toBe(
      'new Example: waitMs must be an integer from 1 to 2147483647 ms (got 0); the default is 100',
    );
  });

  it('lists every bad option, one problem each', () => {
    expect(problem({ retries: -1, enabled: 'yes', onDone: 3 })).toBe(
      'new Example: retries must be an integer from 0 to 5 (got -1); the default is 2; ' +
        'enabled must be true or false (got "yes"); onDone must be a function () => void (got number)',
    );
  });

  it('refuses an empty string where a string option is expected', () => {
    expect(problem({ name: '' })).toBe(
      'new Example: name must be a non-empty string, e.g. "my-app" (got "")',
    );
  });

  it('refuses an object that is not the shape asked for', () => {
    expect(problem({ store: {} })).toBe('new Example: store must be a store with get');
  });

  it('names an unknown option and the type to check its spelling against', () => {
    expect(problem({ retires: 1 })).toBe(
      'new Example: unknown option "retires": check the spelling against ExampleOptions',
    );
  });

  it('keeps a long string value short in the message', () => {
    expect(problem({ enabled: 'x'.repeat(100) })).toContain(`(got "${'x'.repeat(40)}…")`);
  });
});
