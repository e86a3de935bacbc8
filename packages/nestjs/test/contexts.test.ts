import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { createSyncAdapter } from '@supportdesk/core';
import { type Emulator, startEmulator } from '@supportdesk/emulator';
import { lastValueFrom, of } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AwaitSyncInterceptor } from '../src/await-sync-interceptor.js';
import { SupportDeskGuard } from '../src/guard.js';
import type { SupportDeskModuleOptions } from '../src/options.js';
import { SyncScope } from '../src/sync-scope.js';
import { API_KEY, ada } from './app.js';

class EventsHandler {
  onEvent(): string {
    return 'handled';
  }
}

/** An RPC context, as a microservice message handler gets one. */
function rpcContext(data: unknown): ExecutionContext {
  const context = new ExecutionContextHost([data, {}], EventsHandler, EventsHandler.prototype.onEvent);
  context.setType('rpc');
  return context;
}

const readData = (context: ExecutionContext) => context.switchToRpc().getData();

describe('outside HTTP', () => {
  let emulator: Emulator;

  beforeEach(async () => {
    emulator = await startEmulator({ port: 0 });
  });

  afterEach(async () => {
    await emulator.close();
  });

  function build(extra: SupportDeskModuleOptions = {}) {
    const options: SupportDeskModuleOptions = { apiKey: API_KEY, baseUrl: emulator.baseUrl, ...extra };
    const adapter = createSyncAdapter(options, () => ada);
    const scope = new SyncScope(new Reflector(), options.getUser !== undefined);
    return {
      sync: adapter.sync,
      guard: new SupportDeskGuard(adapter, scope),
      interceptor: new AwaitSyncInterceptor(adapter, scope),
    };
  }

  describe('the guard', () => {
    it('lets a non-HTTP call through and syncs nobody when no getUser is given', async () => {
      const { sync, guard } = build();
      expect(guard.canActivate(rpcContext(ada))).toBe(true);
      await sync.close();
      expect(emulator.requestCount).toBe(0);
    });

    it('passes a non-HTTP context to a custom getUser as it lets the call in', async () => {
      const { sync, guard } = build({ getUser: readData });
      expect(guard.canActivate(rpcContext(ada))).toBe(true);
      await sync.close();
      expect(emulator.customers(API_KEY)).toMatchObject([{ externalId: ada.id }]);
    });
  });

  describe('the awaitSync interceptor', () => {
    it('ignores a non-HTTP context when no getUser is given', async () => {
      const { sync, interceptor } = build({ awaitSync: true });
      const result = await lastValueFrom(
        interceptor.intercept(rpcContext(ada), { handle: () => of('handled') }),
      );
      await sync.close();
      expect(result).toBe('handled');
      expect(emulator.requestCount).toBe(0);
    });

    it('syncs the user of a non-HTTP context before passing the result on', async () => {
      const { sync, interceptor } = build({ awaitSync: true, getUser: readData });
      const result = await lastValueFrom(
        interceptor.intercept(rpcContext(ada), { handle: () => of('handled') }),
      );
      expect(result).toBe('handled');
      expect(emulator.customers(API_KEY)).toMatchObject([{ externalId: ada.id }]);
      await sync.close();
    });
  });
});
