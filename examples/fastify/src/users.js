import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';

/** The demo accounts, with the passwords the README and the start-up banner print. */
export const DEMO_ACCOUNTS = [
  { id: 'user_1', email: 'ada@example.com', password: 'ada-password', name: 'Ada Lovelace', plan: 'pro' },
  { id: 'user_2', email: 'alan@example.com', password: 'alan-password', name: 'Alan Turing', plan: 'free' },
];

const PLANS = ['free', 'pro', 'enterprise'];

/** Even a demo stores password hashes, never the passwords themselves. */
function hashPassword(password, salt) {
  return scryptSync(password, salt, 32);
}

/**
 * An in-memory user store seeded with {@link DEMO_ACCOUNTS}. Each app gets its own, so a test
 * that renames a user changes nothing for the next one.
 */
export function createUserStore() {
  const records = new Map();
  for (const { password, ...user } of DEMO_ACCOUNTS) {
    const salt = randomBytes(16);
    records.set(user.id, { user, salt, passwordHash: hashPassword(password, salt) });
  }

  return {
    /** The user with this email and password, or `undefined`. */
    verify(email, password) {
      const record = [...records.values()].find((entry) => entry.user.email === email);
      if (!record || typeof password !== 'string') return undefined;
      const matches = timingSafeEqual(hashPassword(password, record.salt), record.passwordHash);
      return matches ? { ...record.user } : undefined;
    },

    /** A copy of the user with this id, or `undefined`. */
    find(id) {
      const record = records.get(id);
      return record ? { ...record.user } : undefined;
    },

    /**
     * Change the name and/or plan of a user. Returns the updated user, or an error message
     * for the client when the change is not valid.
     */
    update(id, { name, plan }) {
      const record = records.get(id);
      if (!record) return { error: 'no such user' };
      if (name !== undefined && (typeof name !== 'string' || name.trim() === '' || name.length > 100))
        return { error: 'name must be a non-empty string of at most 100 characters' };
      if (plan !== undefined && !PLANS.includes(plan))
        return { error: `plan must be one of ${PLANS.join(', ')}` };
      record.user = {
        ...record.user,
        ...(name === undefined ? {} : { name: name.trim() }),
        ...(plan ? { plan } : {}),
      };
      return { user: { ...record.user } };
    },
  };
}
