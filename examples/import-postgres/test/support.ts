import { findPostgresBinaries } from '../src/postgres-server.js';

/** Where initdb and postgres are, or undefined when PostgreSQL is not installed. */
export const postgresBinaries: string | undefined = findPostgresBinaries();

/**
 * The suite skips without PostgreSQL on a developer machine, but never in CI: there the missing
 * binaries make startPostgres throw, so the suite fails and says why (as the Redis suites do).
 */
export const skipWithoutPostgres = postgresBinaries === undefined && !process.env.CI;
if (skipWithoutPostgres) {
  console.warn(
    '@supportdesk/example-import-postgres: PostgreSQL server binaries not found, skipping (apt-get install postgresql)',
  );
}
