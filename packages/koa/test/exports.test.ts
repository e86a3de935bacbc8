import * as core from '@supportdesk/core';
import { describe, expect, it } from 'vitest';
import * as koa from '../src/index.js';

describe('@supportdesk/koa exports', () => {
  it('re-exports every export of @supportdesk/core as the same value', () => {
    for (const [name, value] of Object.entries(core)) expect(koa, name).toHaveProperty(name, value);
  });

  it('adds only syncCustomers to the core API', () => {
    const own = Object.keys(koa).filter((name) => !(name in core));

    expect(own).toEqual(['syncCustomers']);
  });
});
