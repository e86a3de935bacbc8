import type { INestApplication } from '@nestjs/common';
import { type Emulator, startEmulator } from '@supportdesk/emulator';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type SupportDeskError, SupportDeskModule, SupportDeskService } from '../src/index.js';
import { API_KEY, ada, createApp, platforms, signedInAs } from './app.js';

describe.each(platforms)('an upstream failure on %s', (platform) => {
  let emulator: Emulator;
  let app: INestApplication | undefined;
  let errors: SupportDeskError[];

  beforeEach(async () => {
    emulator = await startEmulator({ port: 0 });
    errors = [];
  });

  afterEach(async () => {
    await app?.close();
    app = undefined;
    await emulator.close();
  });

  async function start(baseUrl: string): Promise<INestApplication> {
    app = await createApp(platform, {
      imports: [
        SupportDeskModule.forRoot({
          apiKey: API_KEY,
          baseUrl,
          maxRetries: 0,
          onError: (error) => errors.push(error),
        }),
      ],
    });
    return app;
  }

  it('does not change the response when SupportDesk answers 500', async () => {
    emulator.inject({ status: 500 });
    const running = await start(emulator.baseUrl);
    await request(running.getHttpServer()).get('/me').set(signedInAs(ada)).expect(200, { ok: true });
    await running.get(SupportDeskService).flush();
    expect(errors).toMatchObject([{ status: 500, externalId: ada.id }]);
  });

  it('does not change the response when SupportDesk is down', async () => {
    const down = await startEmulator({ port: 0 });
    await down.close();
    const running = await start(down.baseUrl);
    await request(running.getHttpServer()).get('/me').set(signedInAs(ada)).expect(200, { ok: true });
    await running.get(SupportDeskService).flush();
    expect(errors).toMatchObject([{ name: 'SupportDeskConnectionError', externalId: ada.id }]);
  });

  it('answers while a slow upsert is still in flight', async () => {
    emulator.inject({ latencyMs: 500, times: 1 });
    const running = await start(emulator.baseUrl);
    await request(running.getHttpServer()).get('/me').set(signedInAs(ada)).expect(200, { ok: true });
    expect(emulator.customers(API_KEY)).toEqual([]);
    await running.get(SupportDeskService).flush();
    expect(emulator.customers(API_KEY)).toMatchObject([{ externalId: ada.id }]);
  });
});
