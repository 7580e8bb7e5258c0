import pg from 'pg';
import { GenericContainer, getContainerRuntimeClient, Wait, type StartedTestContainer } from 'testcontainers';
import type { TestProject } from 'vitest/node';

/** The server the PostgreSQL suites use when none is named: the local one (trust auth). */
const LOCAL_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
const IMAGE = 'postgres:16-alpine';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The PostgreSQL server the suites run against. */
    postgresUrl: string;
    /** Why no PostgreSQL server answered, or null when one did. */
    postgresUnavailable: string | null;
  }
}

const unavailableReason = async (url: string): Promise<string | null> => {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
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

type Found = { url: string; reason: string | null; container?: StartedTestContainer };

/**
 * TEST_DATABASE_URL when it is set (and only it: a named server that does not answer is not replaced);
 * else the local server; else, where a container runtime answers, a PostgreSQL container started for
 * this run (testcontainers), as the EventStoreDB contract does.
 */
const findServer = async (): Promise<Found> => {
  const named = process.env.TEST_DATABASE_URL;
  const url = named ?? LOCAL_DATABASE_URL;
  const reason = await unavailableReason(url);
  if (reason === null || named !== undefined) return { url, reason };
  try {
    await getContainerRuntimeClient();
  } catch {
    return { url, reason: `${reason}; no container runtime to start one` };
  }
  const container = await new GenericContainer(IMAGE)
    .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust', POSTGRES_DB: 'test' })
    .withExposedPorts(5432)
    .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
    .withStartupTimeout(120_000)
    .start();
  const started = `postgres://postgres@${container.getHost()}:${container.getMappedPort(5432)}/test`;
  return { url: started, reason: await unavailableReason(started), container };
};

// Vitest runs a global setup once for the root and once per project, in one process: ask and warn once.
const shared = globalThis as { postgres?: Promise<Found> };

/**
 * Global setup: finds once the PostgreSQL server the suites use, so that they can skip (loudly)
 * where none runs, as the README promises Node and npm are all `npm test` needs, or fail where
 * REQUIRE_POSTGRES=1 says one must be there (`.ci/run` sets it). A container it started is stopped
 * after the run.
 */
export default async function postgresAvailability(project: TestProject): Promise<() => Promise<void>> {
  const first = shared.postgres === undefined;
  shared.postgres ??= findServer().then((found) => {
    if (found.reason !== null && process.env.REQUIRE_POSTGRES !== '1') {
      const where = new URL(found.url);
      console.warn(
        `PostgreSQL suites SKIPPED: no server answers at ${where.host}${where.pathname} (TEST_DATABASE_URL; ${found.reason}) — this run has NO PostgreSQL coverage; set REQUIRE_POSTGRES=1 to make that a failure`,
      );
    }
    return found;
  });
  const found = await shared.postgres;
  project.provide('postgresUrl', found.url);
  project.provide('postgresUnavailable', found.reason);
  return async () => {
    if (first) await found.container?.stop();
  };
}
