import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { startEmulator } from '@supportdesk/emulator';
import { AppModule, type Settings } from './app.module';

const logger = new Logger('Example');

/** Without a real key, point the app at an embedded emulator so it runs with no account. */
async function upstreamSettings(): Promise<Partial<Settings>> {
  if (process.env.SUPPORTDESK_API_KEY) return {};
  const emulator = await startEmulator({ port: 0 });
  logger.log(`No SUPPORTDESK_API_KEY: syncing to the embedded emulator at ${emulator.baseUrl}`);
  logger.log(`Emulator dashboard: ${emulator.dashboardUrl} (synced customers and requests, live)`);
  return { SUPPORTDESK_API_KEY: 'sd_demo_key', SUPPORTDESK_BASE_URL: emulator.baseUrl };
}

async function bootstrap(): Promise<void> {
  const settings: Partial<Settings> = {
    ...(await upstreamSettings()),
    ...(process.env.JWT_SECRET ? {} : { JWT_SECRET: 'demo-secret-set-JWT_SECRET-in-production' }),
  };
  const app = await NestFactory.create(AppModule.register(settings));
  // SIGTERM / SIGINT run app.close(), which sends pending syncs, then Nest re-raises the signal
  // to end the process. The emulator is left running until then, so that last flush reaches it.
  app.enableShutdownHooks();

  const port = Number(process.env.PORT ?? 3000);
  await app.listen(port, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  logger.log(`Listening on ${url}. Try:
  TOKEN=$(curl -s -X POST ${url}/auth/login -H 'Content-Type: application/json' \\
    -d '{"email":"ada@example.com","password":"ada"}' | node -p 'JSON.parse(require("fs").readFileSync(0)).accessToken')
  curl ${url}/me -H "Authorization: Bearer $TOKEN"
  curl -X PATCH ${url}/me -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"name":"Ada King"}'`);
}

bootstrap().catch((error: unknown) => {
  logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 1;
});
