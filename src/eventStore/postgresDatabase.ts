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
 * Bounds on every wait, so that one stuck connection (a half-open socket, a process frozen inside a
 * transaction) can never hold the append lock, a pool slot or a caller for long: the server ends a
 * transaction left idle, statements and lock waits time out, the client gives up on a silent socket.
 */
const SESSION_SETTINGS = {
  idle_in_transaction_session_timeout: 10_000,
  statement_timeout: 30_000,
  lock_timeout: 15_000,
};

/**
 * Connects, creates or migrates the schema, and opens the pool. A database that cannot be reached
 * fails the start with StoreUnavailable rather than leaving a ledger that answers nothing.
 */
export const openPostgres = async (options: PostgresOptions): Promise<PostgresDatabase> => {
  const schema = options.schema ?? 'public';
  // Session settings go in the startup `options`, merged with any the URL carries (which would
  // otherwise replace ours, and with them the schema).
  const url = new URL(options.connectionString);
  const urlOptions = url.searchParams.get('options') ?? '';
  url.searchParams.delete('options');
  const settings = Object.entries({ search_path: quoteIdentifier(schema), ...SESSION_SETTINGS })
    .map(([name, value]) => `-c ${name}=${value}`)
    .join(' ');
  const clientConfig: pg.ClientConfig = {
    connectionString: url.toString(),
    options: `${urlOptions} ${settings}`.trim(),
    connectionTimeoutMillis: 5_000,
    query_timeout: 40_000,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
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
  pool.on('connect', (client) => {
    // A connection checked out of the pool has no error listener: a socket dropped mid-query would
    // otherwise be an unhandled 'error' event and end the process. The query itself rejects.
    client.on('error', () => undefined);
  });
  return { pool, clientConfig, schema };
};
