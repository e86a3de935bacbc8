import { describe, expect, it } from 'vitest';
import { defaultMapUser } from '../../src/engine/mapping.js';
import { SupportDeskValidationError } from '../../src/errors.js';
import { prepare } from '../../src/import/prepare.js';

const ada = { id: 'u1', name: 'Ada Lovelace', email: 'ada@example.com' };

describe('prepare', () => {
  it('maps and validates a row with the default mapping, synchronously', () => {
    expect(prepare(ada, defaultMapUser, false)).toEqual({
      kind: 'ready',
      externalId: 'u1',
      input: { name: 'Ada Lovelace', email: 'ada@example.com' },
      fingerprint: '',
    });
  });

  it('fingerprints the payload only when a store needs it, the same for any key order', () => {
    const first = prepare(ada, defaultMapUser, true);
    const second = prepare({ email: ada.email, name: ada.name, id: 'u1' }, defaultMapUser, true);
    expect(first).toMatchObject({ kind: 'ready' });
    expect((first as { fingerprint: string }).fingerprint).toMatch(/^[\w-]{9}$/);
    expect(second).toEqual(first);
  });

  it('waits for an async mapUser', async () => {
    const prepared = prepare(
      ada,
      async (user: typeof ada) => ({ externalId: user.id, name: 'Async' }),
      false,
    );
    expect(prepared).toBeInstanceOf(Promise);
    expect(await prepared).toMatchObject({ kind: 'ready', input: { name: 'Async' } });
  });

  it.each([null, undefined])('ignores a row mapped to %s', (mapped) => {
    expect(prepare(ada, () => mapped, false)).toEqual({ kind: 'ignored' });
  });

  it.each([
    [
      'a throw',
      () => {
        throw new Error('no id column');
      },
      /mapUser failed.*no id column/,
    ],
    ['a string', () => 'u1', /must return an object or null \(got string\)/],
    ['an array', () => [ada], /got an array/],
  ])('makes a row invalid when mapUser answers %s', (_, mapUser, message) => {
    const prepared = prepare(ada, mapUser, false);
    expect(prepared).toMatchObject({ kind: 'invalid', externalId: undefined });
    const { error } = prepared as { error: SupportDeskValidationError };
    expect(error).toBeInstanceOf(SupportDeskValidationError);
    expect(error.message).toMatch(message);
  });

  it('makes a row invalid when an async mapUser rejects', async () => {
    const prepared = await prepare(ada, () => Promise.reject(new Error('lookup failed')), false);
    expect(prepared).toMatchObject({ kind: 'invalid' });
    expect((prepared as { error: Error }).error.message).toMatch(/lookup failed/);
  });

  it('makes a row invalid, with its externalId, when the payload fails the client rules', () => {
    const prepared = prepare({ id: 'u2', name: 'Bob', email: 'not-an-email' }, defaultMapUser, false);
    expect(prepared).toMatchObject({ kind: 'invalid', externalId: 'u2' });
    expect((prepared as { error: Error }).error.message).toMatch(/email must be a valid email/);
  });

  it('sends a safe-integer externalId as its decimal string', () => {
    expect(
      prepare({ n: 42 }, (row: { n: number }) => ({ externalId: row.n, name: 'N' }), false),
    ).toMatchObject({
      kind: 'ready',
      externalId: '42',
    });
  });

  it('makes a row invalid when its payload is too deep to fingerprint', () => {
    let deep: Record<string, unknown> = {};
    const metadata = deep;
    for (let i = 0; i < 40; i++) {
      const inner = {};
      deep.next = inner;
      deep = inner;
    }
    const prepared = prepare(ada, () => ({ externalId: 'u1', metadata }), true);
    expect(prepared).toMatchObject({ kind: 'invalid', externalId: 'u1' });
  });
});
