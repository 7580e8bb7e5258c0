import pg from 'pg';
import type { TestProject } from 'vitest/node';

/** The server the PostgreSQL suites use: the local one (trust auth) unless TEST_DATABASE_URL names another. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Why no PostgreSQL server answered at TEST_DATABASE_URL, or null when one did. */
    postgresUnavailable: string | null;
  }
}

const unavailableReason = async (): Promise<string | null> => {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    return error instanceof Error ? error.message || error.constructor.name : String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
};

// Vitest runs a global setup once for the root and once per project, in one process: ask and warn once.
const shared = globalThis as { postgresUnavailable?: Promise<string | null> };

/**
 * Global setup: asks once whether a PostgreSQL server answers, so that its suites can skip (loudly)
 * where none runs, as the README promises Node and npm are all `npm test` needs, or fail where
 * REQUIRE_POSTGRES=1 says one must be there (`.ci/run` sets it).
 */
export default async function postgresAvailability(project: TestProject): Promise<void> {
  shared.postgresUnavailable ??= unavailableReason().then((reason) => {
    if (reason !== null && process.env.REQUIRE_POSTGRES !== '1') {
      const where = new URL(TEST_DATABASE_URL);
      console.warn(
        `PostgreSQL suites SKIPPED: no server answers at ${where.host}${where.pathname} (TEST_DATABASE_URL; ${reason}) — this run has NO PostgreSQL coverage; set REQUIRE_POSTGRES=1 to make that a failure`,
      );
    }
    return reason;
  });
  project.provide('postgresUnavailable', await shared.postgresUnavailable);
}
