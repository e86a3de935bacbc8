import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type Emulator, startEmulator } from '@supportdesk/emulator';
import { SupportDeskService } from '@supportdesk/nestjs';
import request from 'supertest';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { AppModule } from '../src/app.module';

const API_KEY = 'sd_example_test';

let emulator: Emulator;
let app: INestApplication;

beforeEach(async () => {
  emulator = await startEmulator({ port: 0 });
  const settings = {
    SUPPORTDESK_API_KEY: API_KEY,
    SUPPORTDESK_BASE_URL: emulator.baseUrl,
    JWT_SECRET: 'test-secret',
  };
  app = await NestFactory.create(AppModule.register(settings), { logger: false });
  await app.init();
});

afterEach(async () => {
  await app.close();
  await emulator.close();
});

async function logIn(email: string, password: string): Promise<string> {
  const response = await request(app.getHttpServer())
    .post('/auth/login')
    .send({ email, password })
    .expect(200);
  return response.body.accessToken;
}

it('syncs the signed-in user to SupportDesk when they call /me', async () => {
  const token = await logIn('ada@example.com', 'ada');
  await request(app.getHttpServer())
    .get('/me')
    .set('Authorization', `Bearer ${token}`)
    .expect(200, { id: 'user_1', email: 'ada@example.com', name: 'Ada Lovelace', plan: 'premium' });
  await app.get(SupportDeskService).flush();
  expect(emulator.customers(API_KEY)).toMatchObject([
    { externalId: 'user_1', email: 'ada@example.com', name: 'Ada Lovelace', metadata: { plan: 'premium' } },
  ]);
});

it('syncs the new name after PATCH /me', async () => {
  const token = await logIn('alan@example.com', 'alan');
  await request(app.getHttpServer())
    .patch('/me')
    .set('Authorization', `Bearer ${token}`)
    .send({ name: 'Alan M. Turing' })
    .expect(200);
  await app.get(SupportDeskService).flush();
  expect(emulator.customers(API_KEY)).toMatchObject([{ externalId: 'user_2', name: 'Alan M. Turing' }]);
});

it('syncs nobody for a request without a token', async () => {
  await request(app.getHttpServer()).get('/me').expect(401);
  await app.get(SupportDeskService).flush();
  expect(emulator.requestCount).toBe(0);
});
