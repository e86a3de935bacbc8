/** The example's `users` table: what an app's own user table looks like, filled in one statement. */

export const USER_COUNT = 10_000;

/** Creates `users` (dropped first if there) and fills it with `count` rows. */
export async function seedUsers(client, count = USER_COUNT) {
  await client.query('DROP TABLE IF EXISTS users');
  await client.query(`
    CREATE TABLE users (
      id         bigserial PRIMARY KEY,
      email      text NOT NULL UNIQUE,
      first_name text NOT NULL,
      last_name  text NOT NULL,
      plan       text NOT NULL,
      company    text,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
  await client.query(
    `INSERT INTO users (email, first_name, last_name, plan, company)
     SELECT 'user' || n || '@example.com', 'User', 'No. ' || n,
            (ARRAY['free', 'pro', 'enterprise'])[1 + n % 3],
            CASE WHEN n % 4 = 0 THEN NULL ELSE 'Company ' || (n % 97) END
     FROM generate_series(1, $1) AS n`,
    [count],
  );
}
