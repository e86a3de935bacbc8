import { randomBytes } from 'node:crypto';
import { syncCustomers } from '@supportdesk/express';
import express from 'express';
import session from 'express-session';
import passport from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import { createUserStore } from './users.js';

/** What SupportDesk receives for one of our users. */
export function mapUser(user) {
  return { externalId: user.id, email: user.email, name: user.name, metadata: { plan: user.plan } };
}

function requireAuth(req, res, next) {
  if (req.isAuthenticated()) return next();
  res.status(401).json({ error: 'log in first: POST /login' });
}

/**
 * The demo app: passport-local login with sessions, a profile route, and `syncCustomers` so
 * every logged-in user who makes a request is synced into SupportDesk.
 *
 * @param syncOptions options of `syncCustomers` (apiKey, baseUrl, onSync, …); `mapUser` defaults to {@link mapUser}
 * @returns the Express app and its sync engine (close it on shutdown)
 */
export function createApp(syncOptions = {}) {
  const users = createUserStore();
  // An authenticator of its own, so two apps in one process (tests) never share strategies.
  const auth = new passport.Passport();
  auth.use(
    new LocalStrategy({ usernameField: 'email' }, (email, password, done) => {
      done(null, users.verify(email, password) ?? false);
    }),
  );
  auth.serializeUser((user, done) => done(null, user.id));
  auth.deserializeUser((id, done) => done(null, users.find(id) ?? false));

  const supportDesk = syncCustomers({ mapUser, ...syncOptions });

  const app = express();
  app.use(express.json(), express.urlencoded({ extended: false }));
  app.use(
    session({
      // A fresh secret per process logs everyone out on restart, which is fine for a demo.
      secret: process.env.SESSION_SECRET ?? randomBytes(32).toString('hex'),
      resave: false,
      saveUninitialized: false,
      cookie: { httpOnly: true, sameSite: 'lax' },
    }),
  );
  app.use(auth.session());
  // Mounted before any route: the user is read when the response is done, so the users that
  // POST /login sets and that requireAuth checks are both seen.
  app.use(supportDesk);

  app.get('/', (_req, res) => {
    res.type('text').send('Try POST /login, GET /me, POST /profile, POST /logout (see the README).\n');
  });

  app.post('/login', auth.authenticate('local'), (req, res) => {
    res.json({ user: req.user });
  });

  app.get('/me', requireAuth, (req, res) => {
    res.json({ user: req.user });
  });

  app.post('/profile', requireAuth, (req, res) => {
    const result = users.update(req.user.id, req.body ?? {});
    if (result.error) return res.status(400).json({ error: result.error });
    // The sync reads req.user when this response is done, so it must see the new profile.
    req.user = result.user;
    res.json({ user: result.user });
  });

  app.post('/logout', (req, res, next) => {
    req.logout((error) => (error ? next(error) : res.status(204).end()));
  });

  return { app, sync: supportDesk.sync };
}
