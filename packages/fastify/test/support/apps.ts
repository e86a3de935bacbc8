import fastifyJwt from '@fastify/jwt';
import { type Emulator, startEmulator } from '@supportdesk/emulator';
import fastify5, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type onRequestHookHandler,
} from 'fastify';
import fastifyJwt8 from 'fastify-jwt8';
import fastify4 from 'fastify4';
import { afterEach, beforeEach } from 'vitest';
import { type SupportDeskOptions, supportDesk } from '../../src/index.js';

/** The only key the test emulators accept. */
export const API_KEY = 'sk_test_fastify';

export type FastifyFactory = typeof fastify5;

/** Both Fastify majors the plugin supports, each with the @fastify/jwt major made for it. */
export const frameworks: { name: string; fastify: FastifyFactory; jwt: typeof fastifyJwt }[] = [
  { name: 'Fastify 5', fastify: fastify5, jwt: fastifyJwt },
  { name: 'Fastify 4', fastify: fastify4, jwt: fastifyJwt8 },
];

export interface TestUser {
  id: string;
  email: string;
  name: string;
  plan: 'free' | 'pro';
}

export const mapTestUser = (user: TestUser) => ({
  externalId: user.id,
  email: user.email,
  name: user.name,
  metadata: { plan: user.plan },
});

/** A fresh user table per test, so renaming a user in one test changes nothing in another. */
export function seedUsers(): Map<string, TestUser> {
  return new Map([
    ['user_1', { id: 'user_1', email: 'ada@example.com', name: 'Ada Lovelace', plan: 'pro' }],
    ['user_2', { id: 'user_2', email: 'alan@example.com', name: 'Alan Turing', plan: 'free' }],
  ]);
}

/** The user a request carries, where auth plugins such as @fastify/passport put it. */
export const userOf = (request: FastifyRequest): TestUser | undefined =>
  (request as { user?: TestUser }).user;

/** Logs in whoever the `x-user` header names, as a session or a bearer token would. */
export function authenticate(users: Map<string, TestUser>): onRequestHookHandler {
  return (request, _reply, done) => {
    const id = request.headers['x-user'];
    if (typeof id === 'string') (request as { user?: TestUser }).user = users.get(id);
    done();
  };
}

/** Route-level auth: logs the user in, or answers 401. */
export function requireAuth(users: Map<string, TestUser>) {
  const login = authenticate(users);
  return (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    login.call(request.server, request, reply, () => {
      if (userOf(request)) done();
      else void reply.code(401).send({ error: 'unauthorized' });
    });
  };
}

export interface AppSetup {
  /** `app`: an app-wide onRequest hook; `route`: only `/me` authenticates, in its preHandler. */
  auth?: 'app' | 'route';
}

/** The body every `/me` answers with, to compare against. */
export const meResponse = (id: string | null) => ({ id });

/**
 * A real Fastify app: optional app-level auth, the plugin, then `GET /me` (203 with a header, so a
 * changed reply shows), `GET /public`, `GET /boom` (throws) and `GET /health` (skipped).
 */
export async function buildApp(
  fastify: FastifyFactory,
  options: SupportDeskOptions<TestUser>,
  users: Map<string, TestUser>,
  { auth = 'app' }: AppSetup = {},
): Promise<FastifyInstance> {
  const app = fastify();
  if (auth === 'app') app.addHook('onRequest', authenticate(users));
  await app.register(supportDesk<TestUser>, options);
  app.get('/me', { preHandler: auth === 'route' ? requireAuth(users) : [] }, async (request, reply) => {
    void reply.code(203).header('x-handled-by', 'route');
    return meResponse(userOf(request)?.id ?? null);
  });
  app.get('/public', async () => ({ public: true }));
  app.get('/boom', async () => {
    throw new Error('boom');
  });
  app.get('/health', { config: { supportdesk: false } }, async () => 'up');
  await app.ready();
  return app;
}

/** What {@link usePlugin} hands a test: its emulator and the apps it builds against it. */
export interface PluginHarness {
  /** This test's emulator, fresh for every test; it accepts only {@link API_KEY}. */
  readonly emulator: Emulator;
  /** Options pointing at the emulator, with {@link mapTestUser}, the file's defaults and `options`. */
  options(options?: SupportDeskOptions<TestUser>): SupportDeskOptions<TestUser>;
  /** {@link buildApp} with {@link options}; the app is closed after the test. */
  start(
    fastify: FastifyFactory,
    options?: SupportDeskOptions<TestUser>,
    setup?: AppSetup & { users?: Map<string, TestUser> },
  ): Promise<FastifyInstance>;
  /** Closes `app` after the test (closing twice is harmless). */
  track(app: FastifyInstance): FastifyInstance;
}

/**
 * Starts an emulator before each test and, after it, closes every app the test built (which
 * closes their engines) and then the emulator. `defaults` apply to every app of the file.
 */
export function usePlugin(defaults: SupportDeskOptions<TestUser> = {}): PluginHarness {
  let emulator: Emulator | undefined;
  const apps: FastifyInstance[] = [];

  beforeEach(async () => {
    emulator = await startEmulator({ port: 0, apiKeys: [API_KEY] });
  });

  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
    await emulator?.close();
  });

  const harness: PluginHarness = {
    get emulator() {
      if (!emulator) throw new Error('the emulator starts in beforeEach; read it inside a test');
      return emulator;
    },
    options: (options = {}) => ({
      apiKey: API_KEY,
      baseUrl: harness.emulator.baseUrl,
      mapUser: mapTestUser,
      ...defaults,
      ...options,
    }),
    start: async (fastify, options, { users = seedUsers(), ...setup } = {}) =>
      harness.track(await buildApp(fastify, harness.options(options), users, setup)),
    track: (app) => {
      apps.push(app);
      return app;
    },
  };
  return harness;
}
