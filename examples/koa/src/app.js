import { randomBytes } from 'node:crypto';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import { syncCustomers } from '@supportdesk/koa';
import Koa from 'koa';
import koaPassport from 'koa-passport';
import session from 'koa-session';
import { Strategy as LocalStrategy } from 'passport-local';
import { createUserDirectory, PLANS } from './users.js';

/** What SupportDesk learns about a user of this app. */
export const mapUser = (user) => ({
  externalId: user.id,
  email: user.email,
  name: user.name,
  metadata: { plan: user.plan },
});

const requireAuth = async (ctx, next) => {
  if (!ctx.isAuthenticated()) ctx.throw(401, 'log in first: POST /login');
  await next();
};

/** The allowed profile changes in `body`, or a message saying what is wrong. */
function readProfileChanges(body) {
  const changes = {};
  if (body?.name !== undefined) {
    if (typeof body.name !== 'string' || !body.name.trim() || body.name.length > 100) {
      return { problem: 'name must be a non-empty string of at most 100 characters' };
    }
    changes.name = body.name.trim();
  }
  if (body?.plan !== undefined) {
    if (!PLANS.includes(body.plan)) return { problem: `plan must be one of ${PLANS.join(', ')}` };
    changes.plan = body.plan;
  }
  if (Object.keys(changes).length === 0) return { problem: 'send a name or a plan' };
  return { changes };
}

/**
 * A Koa app with passport-local login on a cookie session, whose logged-in users sync into
 * SupportDesk. `supportDesk` holds the options of `syncCustomers` (apiKey, baseUrl, onSync...).
 * Returns the app and the middleware, whose `sync` the caller closes on shutdown.
 */
export function createApp({ supportDesk = {}, sessionKeys = [randomBytes(32).toString('hex')] } = {}) {
  const users = createUserDirectory();
  // One passport per app, so apps built side by side (tests) keep their own strategies.
  const passport = new koaPassport.KoaPassport();
  passport.use(
    new LocalStrategy((username, password, done) => done(null, users.verify(username, password) ?? false)),
  );
  passport.serializeUser((user, done) => done(null, user.id));
  passport.deserializeUser((id, done) => done(null, users.find(id) ?? false));

  const app = new Koa();
  app.keys = sessionKeys;
  const customerSync = syncCustomers({ mapUser, ...supportDesk });

  app.use(session({ sameSite: 'lax' }, app));
  app.use(bodyParser());
  app.use(passport.initialize());
  app.use(passport.session());
  // Reads ctx.state.user once each request is done, so the login and profile routes below count too.
  app.use(customerSync);

  const router = new Router();
  router.post('/login', (ctx) =>
    passport.authenticate('local', async (error, user) => {
      if (error) throw error;
      if (!user) ctx.throw(401, 'wrong username or password');
      await ctx.login(user);
      ctx.body = { user };
    })(ctx),
  );
  router.get('/me', requireAuth, (ctx) => {
    ctx.body = { user: ctx.state.user };
  });
  router.post('/profile', requireAuth, (ctx) => {
    const { changes, problem } = readProfileChanges(ctx.request.body);
    if (problem) ctx.throw(400, problem);
    // The session user was read before this change: hand the new one to the sync as well.
    ctx.state.user = users.update(ctx.state.user.id, changes);
    ctx.body = { user: ctx.state.user };
  });
  router.post('/logout', async (ctx) => {
    await ctx.logout();
    ctx.status = 204;
  });
  app.use(router.routes());
  app.use(router.allowedMethods());

  return { app, supportDesk: customerSync };
}
