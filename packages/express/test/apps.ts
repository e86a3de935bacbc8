import { type Emulator, startEmulator } from '@supportdesk/emulator';
import express5, { type Express, type RequestHandler } from 'express';
import express4 from 'express4';
import { afterEach, beforeEach } from 'vitest';
import { type SyncCustomersMiddleware, type SyncCustomersOptions, syncCustomers } from '../src/index.js';

/** The only key the test emulators accept. */
export const API_KEY = 'sk_test_express';

/** Both Express majors the adapter supports, for `describe.each`. */
export const frameworks = [
  { name: 'Express 5', express: express5 },
  { name: 'Express 4', express: express4 },
];

export type ExpressFactory = typeof express5;

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

/** Logs in whoever the `x-user` header names, as a session or a bearer token would. */
export function authenticate(users: Map<string, TestUser>): RequestHandler {
  return (req, _res, next) => {
    const id = req.header('x-user');
    if (id) req.user = users.get(id);
    next();
  };
}

/** Route-level auth: refuses anonymous requests. */
export function requireAuth(users: Map<string, TestUser>): RequestHandler {
  const login = authenticate(users);
  return (req, res, next) => {
    login(req, res, () => {
      if (req.user) next();
      else res.status(401).json({ error: 'unauthorized' });
    });
  };
}

export interface AppSetup {
  /** `app`: auth runs before the middleware; `route`: only the route authenticates, after it. */
  auth?: 'app' | 'route';
}

/** The body and header every test route answers with, to compare against. */
export const meResponse = (id: string | null) => ({ id });

/** A real Express app: optional app-level auth, the middleware, then `GET /me` and `GET /public`. */
export function buildApp(
  express: ExpressFactory,
  middleware: SyncCustomersMiddleware<TestUser>,
  users: Map<string, TestUser>,
  { auth = 'app' }: AppSetup = {},
): Express {
  const app = express();
  if (auth === 'app') app.use(authenticate(users));
  app.use(middleware);
  const routeAuth = auth === 'route' ? [requireAuth(users)] : [];
  app.get('/me', ...routeAuth, (req, res) => {
    res
      .set('x-handled-by', 'route')
      .status(203)
      .json(meResponse((req.user as TestUser | undefined)?.id ?? null));
  });
  app.get('/public', (_req, res) => {
    res.json({ public: true });
  });
  return app;
}

/** What {@link useMiddleware} hands a test: its emulator and the middleware it creates against it. */
export interface MiddlewareHarness {
  /** This test's emulator, fresh for every test; it accepts only {@link API_KEY}. */
  readonly emulator: Emulator;
  /** The middleware the test last created, if any. */
  readonly middleware: SyncCustomersMiddleware<TestUser> | undefined;
  /** Creates the middleware with the emulator's key and URL and {@link mapTestUser}, under `options`. */
  create(options?: SyncCustomersOptions<TestUser>): SyncCustomersMiddleware<TestUser>;
}

/**
 * Starts an emulator before each test and, after it, closes the middleware's engine and then
 * the emulator. `defaults` apply to every middleware the file creates, under each test's options.
 */
export function useMiddleware(defaults: SyncCustomersOptions<TestUser> = {}): MiddlewareHarness {
  let emulator: Emulator | undefined;
  let middleware: SyncCustomersMiddleware<TestUser> | undefined;

  beforeEach(async () => {
    emulator = await startEmulator({ port: 0, apiKeys: [API_KEY] });
  });

  afterEach(async () => {
    await middleware?.sync.close();
    middleware = undefined;
    await emulator?.close();
  });

  const harness: MiddlewareHarness = {
    get emulator() {
      if (!emulator) throw new Error('the emulator starts in beforeEach; read it inside a test');
      return emulator;
    },
    get middleware() {
      return middleware;
    },
    create: (options = {}) => {
      middleware = syncCustomers<TestUser>({
        apiKey: API_KEY,
        baseUrl: harness.emulator.baseUrl,
        mapUser: mapTestUser,
        ...defaults,
        ...options,
      });
      return middleware;
    },
  };
  return harness;
}
