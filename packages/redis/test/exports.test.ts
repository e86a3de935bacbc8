import { describe, expect, it } from 'vitest';
import * as redis from '../src/index.js';

describe('@supportdesk/redis exports', () => {
  it('exports exactly the documented names, so an API change is deliberate', () => {
    expect(Object.keys(redis).sort()).toEqual(['RedisSyncStore']);
  });
});
