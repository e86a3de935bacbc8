import { describe, expect, it } from 'vitest';
import { fingerprint } from '../../src/engine/fingerprint.js';

const base = {
  externalId: 'u1',
  name: 'Ada',
  email: 'ada@example.com',
  metadata: { plan: 'pro', seats: 3, tags: ['a', 'b'] },
};

describe('fingerprint', () => {
  it('is the same for the same payload in another key order, at every depth', () => {
    const reordered = {
      metadata: { tags: ['a', 'b'], seats: 3, plan: 'pro' },
      email: 'ada@example.com',
      externalId: 'u1',
      name: 'Ada',
    };
    expect(fingerprint(reordered)).toBe(fingerprint(base));
  });

  it('ignores the externalId and undefined fields, as the request body does', () => {
    expect(fingerprint({ ...base, externalId: 'other', phone: undefined })).toBe(fingerprint(base));
  });

  it.each([
    ['a new name', { ...base, name: 'Ada King' }],
    ['a new plan', { ...base, metadata: { ...base.metadata, plan: 'free' } }],
    ['a number as a string', { ...base, metadata: { ...base.metadata, seats: '3' } }],
    ['swapped array items', { ...base, metadata: { ...base.metadata, tags: ['b', 'a'] } }],
    ['swapped values between keys', { ...base, name: 'ada@example.com', email: 'Ada' }],
    ['an added field', { ...base, phone: '+1 555' }],
    ['a removed field', { externalId: 'u1', name: 'Ada', email: 'ada@example.com' }],
    ['null instead of a value', { ...base, metadata: { ...base.metadata, seats: null } }],
    ['true instead of false', { ...base, metadata: { flag: true } }],
  ])('changes with %s', (_, changed) => {
    expect(fingerprint(changed)).not.toBe(fingerprint(base));
  });

  it('hashes -0 as 0, as JSON sends it', () => {
    expect(fingerprint({ metadata: { n: -0 } })).toBe(fingerprint({ metadata: { n: 0 } }));
  });

  it('refuses a circular payload instead of overflowing the stack', () => {
    const metadata: Record<string, unknown> = {};
    metadata.self = metadata;
    expect(() => fingerprint({ externalId: 'u1', metadata })).toThrow(RangeError);
  });

  it('gives distinct fingerprints to 10,000 distinct payloads', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 10_000; i++) seen.add(fingerprint({ name: `user ${i}`, metadata: { n: i } }));
    expect(seen.size).toBe(10_000);
  });
});
