import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { createSyncAdapter } from '@supportdesk/core';
import { type Emulator, startEmulator } from '@supportdesk/emulator';
import { lastValueFrom, of } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SupportDeskInterceptor } from '../src/interceptor.js';
import type { SupportDeskModuleOptions } from '../src/options.js';
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

describe('the interceptor outside HTTP', () => {
  let emulator: Emulator;
  let interceptor: SupportDeskInterceptor;
  let options: SupportDeskModuleOptions;

  beforeEach(async () => {
    emulator = await startEmulator({ port: 0 });
  });

  afterEach(async () => {
    await emulator.close();
  });

  function build(extra: SupportDeskModuleOptions = {}) {
    options = { apiKey: API_KEY, baseUrl: emulator.baseUrl, ...extra };
    const adapter = createSyncAdapter(options, () => ada);
    interceptor = new SupportDeskInterceptor(new Reflector(), adapter, options);
    return adapter.sync;
  }

  it('ignores a non-HTTP context when no getUser is given', async () => {
    const sync = build();
    const result = await lastValueFrom(
      interceptor.intercept(rpcContext(ada), { handle: () => of('handled') }),
    );
    await sync.close();
    expect(result).toBe('handled');
    expect(emulator.requestCount).toBe(0);
  });

  it('passes a non-HTTP context to a custom getUser', async () => {
    const sync = build({ getUser: (context) => context.switchToRpc().getData() });
    const result = await lastValueFrom(
      interceptor.intercept(rpcContext(ada), { handle: () => of('handled') }),
    );
    await sync.close();
    expect(result).toBe('handled');
    expect(emulator.customers(API_KEY)).toMatchObject([{ externalId: ada.id }]);
  });
});
