// Type-level checks, enforced by `pnpm typecheck` (tsc); at run time they only build apps.
import type { CustomerSync } from '@supportdesk/core';
import fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { type RequestUser, type SupportDeskOptions, supportDesk } from '../src/index.js';
import type { TestUser } from './support/apps.js';

describe('the types a TypeScript app sees', () => {
  it('types app.supportdesk as the engine and accepts config.supportdesk on a route', async () => {
    const app = fastify();
    await app.register(supportDesk, { enabled: false });
    expectTypeOf(app.supportdesk).toEqualTypeOf<CustomerSync>();
    app.get('/health', { config: { supportdesk: false } }, async () => 'up');
    // @ts-expect-error config.supportdesk is a boolean
    app.get('/ready', { config: { supportdesk: 'off' } }, async () => 'up');
    expect(app.hasRoute({ method: 'GET', url: '/health' })).toBe(true);
    await app.close();
  });

  it('takes a mapUser of the app’s own user type, named or inferred', async () => {
    const mapUser = (user: TestUser) => ({ externalId: user.id, email: user.email, name: user.name });
    const named = fastify();
    await named.register(supportDesk, { enabled: false, mapUser });
    const inferred = fastify();
    await inferred.register(supportDesk<TestUser>, {
      enabled: false,
      mapUser: (user) => {
        expectTypeOf(user).toEqualTypeOf<TestUser>();
        return null;
      },
    });
    await Promise.all([named.close(), inferred.close()]);
  });

  it('hands getUser the request and the reply', () => {
    const options: SupportDeskOptions = {
      getUser: (request, reply) => {
        expectTypeOf(request).toEqualTypeOf<FastifyRequest>();
        expectTypeOf(reply).toEqualTypeOf<FastifyReply>();
        return request.headers['x-user'];
      },
      awaitSync: true,
    };
    expectTypeOf(options.mapUser).parameter(0).toEqualTypeOf<RequestUser>();
  });

  it('refuses an option the engine does not know', () => {
    // @ts-expect-error `ttl` is not an option (`ttlMs` is)
    const options: SupportDeskOptions = { ttl: 1_000 };
    expect(options).toEqual({ ttl: 1_000 });
  });
});
