/**
 * The signed-in users of the benchmark apps and how a request proves who it is: a session token
 * in an `Authorization: Bearer` header or a `session` cookie, looked up in a map, as a session
 * store would do after its own cache.
 */

/** `count` users with distinct ids, emails and tokens; `prefix` keeps runs apart in one emulator. */
export function makeUsers(count, prefix = 'user') {
  return Array.from({ length: count }, (_, i) => ({
    id: `${prefix}_${i}`,
    email: `${prefix}_${i}@bench.example`,
    name: `Bench User ${i}`,
    plan: i % 2 === 0 ? 'premium' : 'free',
    token: `token-${prefix}-${i}`,
  }));
}

/** The mapping every benchmark gives the engine. */
export const mapUser = (user) => ({
  externalId: user.id,
  email: user.email,
  name: user.name,
  metadata: { plan: user.plan },
});

/** A lookup from a request's `Authorization` or `Cookie` header to its user. */
export function sessionLookup(users) {
  const byToken = new Map(users.map((user) => [user.token, user]));
  return (authorization, cookie) => {
    if (typeof authorization === 'string' && authorization.startsWith('Bearer ')) {
      return byToken.get(authorization.slice(7));
    }
    const match = typeof cookie === 'string' ? /(?:^|;\s*)session=([^;]+)/.exec(cookie) : null;
    return match?.[1] === undefined ? undefined : byToken.get(match[1]);
  };
}

/** The requests autocannon cycles through: one per user, half by header and half by cookie. */
export function requestsFor(users, path = '/me') {
  return users.map((user, i) => ({
    method: 'GET',
    path,
    headers: i % 2 === 0 ? { authorization: `Bearer ${user.token}` } : { cookie: `session=${user.token}` },
  }));
}
