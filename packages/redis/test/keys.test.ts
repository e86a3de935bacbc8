import { describe, expect, it } from 'vitest';
import { keyBase, userKey } from '../src/keys.js';

describe('keyBase', () => {
  it('joins prefix and namespace with a colon', () => {
    expect(keyBase('supportdesk', 'a1b2')).toBe('supportdesk:a1b2');
  });

  it('encodes the namespace so it never holds a colon', () => {
    expect(keyBase('supportdesk', 'a:b|c')).toBe('supportdesk:a%3Ab%7Cc');
  });
});

describe('userKey', () => {
  it.each([
    ['user_42', 'p:n:user_42'],
    ['a:b', 'p:n:a:b'],
    ['%', 'p:n:%'],
    ['😀', 'p:n:😀'],
  ])('keeps the well-formed externalId %j verbatim', (externalId, key) => {
    expect(userKey('p:n', externalId)).toBe(key);
  });

  it.each([
    ['\uD83D', 'p:n|u:%d83d'],
    ['a\uDE00%', 'p:n|u:a%de00%0025'],
  ])('escapes the ill-formed externalId %j into its own key space', (externalId, key) => {
    expect(userKey('p:n', externalId)).toBe(key);
  });

  it('gives lone surrogates that UTF-8 would merge different keys', () => {
    const keys = ['\uD800', '\uDBFF', '\uDC00', '\uFFFD'].map((id) =>
      Buffer.from(userKey('p:n', id)).toString('hex'),
    );
    expect(new Set(keys).size).toBe(4);
  });
});
