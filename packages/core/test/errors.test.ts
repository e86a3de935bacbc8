import { describe, expect, it } from 'vitest';
import * as errorsModule from '../src/errors.js';

/**
 * A second, separate copy of errors.ts, as an app gets when the CommonJS build and the ESM build
 * of the package are both loaded, or two versions are installed side by side.
 */
const secondCopyPath = '../src/errors.js?second-copy';
const errors = { ...errorsModule };
const copy = (await import(/* @vite-ignore */ secondCopyPath)) as typeof errors;

const classNames = [
  'SupportDeskError',
  'SupportDeskValidationError',
  'CustomerEmailExistsError',
  'SupportDeskAuthError',
  'SupportDeskRateLimitError',
  'SupportDeskApiError',
  'SupportDeskConnectionError',
  'SupportDeskConfigError',
] as const;

type ClassName = (typeof classNames)[number];
const make = (module: typeof errors, name: ClassName) => new module[name]('boom', { status: 400 });

describe('instanceof across two copies of the error classes', () => {
  it('loads a copy whose classes are not the same objects', () => {
    expect(copy.SupportDeskError).not.toBe(errors.SupportDeskError);
    expect(Object.getPrototypeOf(make(copy, 'SupportDeskError'))).not.toBe(errors.SupportDeskError.prototype);
  });

  it.each(classNames)('an error of the other copy is instanceof this copy’s %s, both ways', (name) => {
    expect(make(copy, name)).toBeInstanceOf(errors[name]);
    expect(make(errors, name)).toBeInstanceOf(copy[name]);
  });

  it.each(classNames)(
    'a %s of the other copy is instanceof this copy’s SupportDeskError and Error',
    (name) => {
      expect(make(copy, name)).toBeInstanceOf(errors.SupportDeskError);
      expect(make(errors, name)).toBeInstanceOf(copy.SupportDeskError);
      expect(make(copy, name)).toBeInstanceOf(Error);
    },
  );

  it.each(classNames.flatMap((left) => classNames.map((right) => [left, right] as const)))(
    'a %s is instanceof %s only when it is that class or a subclass, in either copy',
    (left, right) => {
      const expected = right === 'SupportDeskError' || left === right;
      expect(make(copy, left) instanceof errors[right]).toBe(expected);
      expect(make(errors, left) instanceof copy[right]).toBe(expected);
      expect(make(errors, left) instanceof errors[right]).toBe(expected);
    },
  );

  it('keeps a user subclass to ordinary prototype checks', () => {
    class AppError extends errors.SupportDeskError {}
    expect(new AppError('x')).toBeInstanceOf(errors.SupportDeskError);
    expect(new AppError('x')).toBeInstanceOf(copy.SupportDeskError);
    expect(make(errors, 'SupportDeskError')).not.toBeInstanceOf(AppError);
    expect(make(copy, 'SupportDeskError')).not.toBeInstanceOf(AppError);
  });

  it.each([null, undefined, 42, 'SupportDeskError', {}, new Error('plain'), Object.create(null)])(
    'says no for %o',
    (value) => {
      expect(value instanceof errors.SupportDeskError).toBe(false);
      expect(value instanceof errors.SupportDeskApiError).toBe(false);
    },
  );

  it('narrows the type in TypeScript after instanceof', () => {
    const error: unknown = new copy.SupportDeskRateLimitError('slow down', { retryAfterMs: 1_000 });
    if (!(error instanceof errors.SupportDeskRateLimitError)) throw new Error('expected a rate limit error');
    expect(error.retryAfterMs).toBe(1_000);
  });
});
