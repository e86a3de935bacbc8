import { DEMO_ACCOUNTS } from './users.js';

/** The name the demo gives its user, so the re-sync is visible at SupportDesk. */
export const DEMO_NEW_NAME = 'Ada King';

/**
 * Walk through what the start-up banner tells a person to try with curl: log in, GET /me,
 * change the name, GET /me again, sending the token from the login as `Authorization: Bearer`.
 * Rejects when a step does not answer with a 2xx.
 *
 * @param appUrl where the app listens, e.g. `http://127.0.0.1:3000`
 * @param log prints one line
 * @returns the demo user's id
 */
export async function runDemo(appUrl, log) {
  const [account] = DEMO_ACCOUNTS;
  if (!account) throw new Error('no demo account');
  let token;

  const call = async (method, path, body) => {
    const headers = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body) headers['content-type'] = 'application/json';
    const response = await fetch(new URL(path, appUrl), {
      method,
      headers,
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    log(`${method} ${path} -> ${response.status} ${text}`);
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}`);
    return JSON.parse(text);
  };

  ({ token } = await call('POST', '/login', { email: account.email, password: account.password }));
  await call('GET', '/me');
  await call('POST', '/profile', { name: DEMO_NEW_NAME });
  await call('GET', '/me');
  return account.id;
}
