import { createHash, timingSafeEqual } from 'node:crypto';

/** The plans a demo user can switch between with POST /profile. */
export const PLANS = ['free', 'pro', 'enterprise'];

const digest = (text) => createHash('sha256').update(text).digest();

/**
 * An in-memory user directory with a few demo accounts. A real app reads its database and
 * stores password hashes; this one keeps the demo self-contained.
 */
export function createUserDirectory() {
  const users = new Map(
    [
      {
        id: 'user_ada',
        username: 'ada',
        password: 'lovelace',
        name: 'Ada Lovelace',
        email: 'ada@example.com',
        plan: 'pro',
      },
      {
        id: 'user_alan',
        username: 'alan',
        password: 'turing',
        name: 'Alan Turing',
        email: 'alan@example.com',
        plan: 'free',
      },
      {
        id: 'user_grace',
        username: 'grace',
        password: 'hopper',
        name: 'Grace Hopper',
        email: 'grace@example.com',
        plan: 'enterprise',
      },
    ].map((user) => [user.id, user]),
  );

  /** The user without their password: what routes answer and what sessions hold. */
  const publicUser = (user) => ({
    id: user.id,
    username: user.username,
    name: user.name,
    email: user.email,
    plan: user.plan,
  });

  return {
    /** The account whose password matches, or undefined. Compares digests so timing says nothing. */
    verify(username, password) {
      const user = [...users.values()].find((candidate) => candidate.username === username);
      if (!user || typeof password !== 'string') return undefined;
      return timingSafeEqual(digest(password), digest(user.password)) ? publicUser(user) : undefined;
    },
    find(id) {
      const user = users.get(id);
      return user && publicUser(user);
    },
    update(id, changes) {
      const user = users.get(id);
      if (!user) return undefined;
      Object.assign(user, changes);
      return publicUser(user);
    },
  };
}
