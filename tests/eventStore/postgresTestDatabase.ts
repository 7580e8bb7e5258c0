import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, inject, it } from 'vitest';
import { openPostgres, type PostgresDatabase } from '../../src/eventStore/postgresDatabase.js';
import { PostgresEventStore, type PostgresStoreOptions } from '../../src/eventStore/postgresEventStore.js';

/**
 * The real server (TEST_DATABASE_URL, else the local one, which `.ci/run` starts when it is down,
 * else a container the global setup started). Never a mock.
 */
export const TEST_DATABASE_URL = inject('postgresUrl');

const unavailable = inject('postgresUnavailable');

/**
 * `describe` for a suite that needs the PostgreSQL server: skipped where none answers (the global
 * setup has warned once), and one failing test in its place where REQUIRE_POSTGRES=1.
 */
export const describePostgres = (name: string, body: () => void): void => {
  if (unavailable === null) describe(name, body);
  else if (process.env.REQUIRE_POSTGRES !== '1') describe.skip(name, body);
  else
    describe(name, () => {
      it('has a PostgreSQL server to run against, as REQUIRE_POSTGRES=1 demands', () => {
        throw new Error(`REQUIRE_POSTGRES=1 but no PostgreSQL server answers at TEST_DATABASE_URL (${unavailable})`);
      });
    });
};

/** A schema of its own for each test file and run, so that parallel runs never see each other's events. */
export const uniqueSchema = (label: string): string => `test_${label}_${randomBytes(6).toString('hex')}`;

export const dropSchema = async (schema: string): Promise<void> => {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
};

/** Opens (and migrates) the schema, and a started store on it. */
export const openTestStore = async (
  schema: string,
  options: PostgresStoreOptions = {},
): Promise<{ store: PostgresEventStore; database: PostgresDatabase }> => {
  const database = await openPostgres({ connectionString: TEST_DATABASE_URL, schema, maxConnections: 5 });
  const store = new PostgresEventStore(database, options);
  await store.start();
  return { store, database };
};

/** A plain connection to the test schema, to look at (or try to tamper with) the tables directly. */
export const rawClient = async (schema: string): Promise<pg.Client> => {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, options: `-c search_path="${schema}"` });
  await client.connect();
  return client;
};
