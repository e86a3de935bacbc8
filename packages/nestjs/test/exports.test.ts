import * as core from '@supportdesk/core';
import { expect, it } from 'vitest';
import * as nestjs from '../src/index.js';

it('exports its own API next to everything the core exports', () => {
  const own = Object.keys(nestjs).filter((name) => !(name in core));
  expect(own.sort()).toEqual([
    'SUPPORTDESK_SYNC',
    'SkipCustomerSync',
    'SupportDeskModule',
    'SupportDeskService',
  ]);
  expect(Object.keys(core).filter((name) => !(name in nestjs))).toEqual([]);
});
