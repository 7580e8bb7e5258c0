import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openPostgres, type PostgresDatabase } from '../../src/eventStore/postgresDatabase.js';
import { PostgresEventStore, type PostgresStoreOptions } from '../../src/eventStore/postgresEventStore.js';

/** The real local server (trust auth); `.ci/run` starts it when it is down. Never a mock. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

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
