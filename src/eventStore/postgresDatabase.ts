import pg from 'pg';
import { StoreUnavailable } from './errors.js';
import { asStoreError } from './postgresErrors.js';
import { migrate, quoteIdentifier } from './postgresSchema.js';

export type PostgresOptions = {
  /** `postgres://user@host:5432/database`: DATABASE_URL. */
  connectionString: string;
  /** The schema holding the ledger's tables, created if missing (tests use one per run). */
  schema?: string;
  /** Connections in the pool (default 10). */
  maxConnections?: number;
};

/** One pool of connections to the ledger's schema, shared by the event store and the projection store. */
export type PostgresDatabase = {
  pool: pg.Pool;
  /** For connections outside the pool (the LISTEN connection). */
  clientConfig: pg.ClientConfig;
  schema: string;
};

/**
 * Connects, creates or migrates the schema, and opens the pool. A database that cannot be reached
 * fails the start with StoreUnavailable rather than leaving a ledger that answers nothing.
 */
export const openPostgres = async (options: PostgresOptions): Promise<PostgresDatabase> => {
  const schema = options.schema ?? 'public';
  const clientConfig: pg.ClientConfig = {
    connectionString: options.connectionString,
    options: `-c search_path=${quoteIdentifier(schema)}`,
    connectionTimeoutMillis: 5_000,
    application_name: 'meeting-ledger',
  };
  const setup = new pg.Client(clientConfig);
  setup.on('error', () => undefined);
  try {
    await setup.connect();
    await migrate(setup, schema);
  } catch (error) {
    const mapped = asStoreError(error, `PostgreSQL could not be reached or migrated: ${(error as Error).message}`);
    throw mapped instanceof StoreUnavailable ? mapped : error;
  } finally {
    await setup.end().catch(() => undefined);
  }
  const pool = new pg.Pool({ ...clientConfig, max: options.maxConnections ?? 10, idleTimeoutMillis: 30_000 });
  // An idle connection dropped by the server must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  return { pool, clientConfig, schema };
};
