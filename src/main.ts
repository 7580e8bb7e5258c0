import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pino from 'pino';
import { CommandHandler } from './application/commandHandler.js';
import { LogFollower } from './application/logFollower.js';
import { AuditLog } from './audit/auditLog.js';
import type { AuditStore } from './audit/auditStore.js';
import { CheckpointSigner, loadOrCreateSigningKey } from './audit/checkpointSigner.js';
import { SqliteAuditStore } from './audit/sqliteAuditStore.js';
import { LedgerCommands } from './application/ledgerCommands.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import type { EventStore } from './eventStore/eventStore.js';
import { openEventStoreDb } from './eventStore/eventStoreDbEventStore.js';
import { openPostgres } from './eventStore/postgresDatabase.js';
import { PostgresEventStore } from './eventStore/postgresEventStore.js';
import { SqliteEventStore } from './eventStore/sqliteEventStore.js';
import { buildApp, loggerOptions } from './http/app.js';
import { ProjectionEngine } from './projections/projectionEngine.js';
import type { ProjectionStore } from './projections/projectionStore.js';
import { PostgresProjectionStore } from './projections/postgresProjectionStore.js';
import { SqliteProjectionStore } from './projections/sqliteProjectionStore.js';
import { TokenFile } from './http/tokenFile.js';
import { TokenRegistry } from './http/tokens.js';

export type Ledger = {
  config: Config;
  store: EventStore;
  snapshots: ProjectionStore;
  projections: ProjectionEngine;
  auditStore: AuditStore;
  audit: AuditLog;
  /** One read of the log for the derived state that follows it (for now the audit log). */
  follower: LogFollower;
  handler: CommandHandler;
  commands: LedgerCommands;
  tokens: TokenRegistry;
  /** Managed tokens (`npm run ledger -- tokens`), re-read while the server runs. */
  tokenFile: TokenFile;
  /** Set when tokens were generated on this start: they are shown once, here. */
  generatedTokens?: { file: string; tokens: { role: string; token: string }[] };
};

/**
 * The event store the configuration names, and the home of projection snapshots that goes with it:
 * in PostgreSQL they share the database (several ledger processes share both); otherwise a SQLite
 * file in the data directory.
 */
const openStores = async (config: Config): Promise<{ store: EventStore; snapshots: ProjectionStore }> => {
  mkdirSync(config.dataDir, { recursive: true });
  const localSnapshots = () => new SqliteProjectionStore(join(config.dataDir, 'projections.sqlite'));
  switch (config.store.kind) {
    case 'sqlite': {
      const file = join(config.dataDir, 'ledger.sqlite');
      return {
        store: new SqliteEventStore(file, { synchronous: config.sqliteSynchronous }),
        snapshots: localSnapshots(),
      };
    }
    case 'postgres': {
      const database = await openPostgres({ connectionString: config.store.url, schema: config.store.schema });
      const store = new PostgresEventStore(database);
      await store.start();
      return { store, snapshots: new PostgresProjectionStore(database.pool) };
    }
    case 'eventstoredb':
      // Idempotency records and projection snapshots live beside this instance (see the adapter).
      return {
        store: openEventStoreDb(config.store.connectionString, { dataDir: config.dataDir }),
        snapshots: localSnapshots(),
      };
  }
};

/** Where the store is, for the start-up line: never the connection string, which may hold a password. */
const describeStore = (config: Config): string => {
  switch (config.store.kind) {
    case 'sqlite':
      return `sqlite, data: ${config.dataDir}`;
    case 'postgres':
      return `postgres, schema: ${config.store.schema}, data: ${config.dataDir}`;
    case 'eventstoredb':
      return `eventstoredb, data: ${config.dataDir}`;
  }
};

/**
 * The composition root: config -> store -> command handling and projections; the HTTP app and the
 * CLI sit on top. Projections are built here but start only when the caller starts them.
 */
/**
 * `showTokens`: this caller prints generated tokens (the server, the demo). Only then are tokens
 * generated on a first start: a CLI command that prints nothing must not create tokens nobody sees.
 */
export const openLedger = async (
  config: Config,
  { logger, showTokens = false }: { logger?: pino.Logger; showTokens?: boolean } = {},
): Promise<Ledger> => {
  const { store, snapshots } = await openStores(config);
  const handler = new CommandHandler(store, { maxEventsPerStream: config.limits.eventsPerStream });
  const commands = new LedgerCommands(handler, undefined, config.limits);
  const projections = new ProjectionEngine(store, snapshots, {
    onFailure: (name, failure, error) => logger?.error({ projection: name, failure, err: error }, 'projection stopped'),
  });
  const auditStore = new SqliteAuditStore(join(config.dataDir, 'audit.sqlite'));
  const signingKey = loadOrCreateSigningKey(config.audit.signingKeyFile ?? join(config.dataDir, 'signing-key.pem'));
  const audit = new AuditLog(auditStore, new CheckpointSigner(config.audit.origin, signingKey), {
    ...config.audit,
    onError: (error) => logger?.error({ err: error }, 'audit checkpoint could not be signed or kept'),
  });
  const follower = new LogFollower(store, [audit], {
    onError: (consumer, error) =>
      logger?.warn({ consumer, err: error }, 'could not commit; reading the log again shortly'),
  });
  const tokenFile = new TokenFile(config.dataDir);
  // A first start with no tokens configured generates one per role, shown once by the caller.
  const generated = showTokens && config.tokens.length === 0 ? tokenFile.generateFirst() : undefined;
  return {
    ...{ config, store, snapshots, projections, auditStore, audit, follower, handler, commands, tokenFile },
    tokens: new TokenRegistry(config.tokens, tokenFile.active()),
    ...(generated && { generatedTokens: { file: tokenFile.file, tokens: generated } }),
  };
};

/** Stops what runs (projections, the log follower) after saving their progress, then closes every store. */
export const closeLedger = async (ledger: Ledger): Promise<void> => {
  await ledger.projections.stop();
  await ledger.follower.stop();
  ledger.audit.stop(); // signs the tree as it stands, as on every stop
  ledger.auditStore.close();
  await ledger.store.close();
};

const SHUTDOWN_GRACE_MS = 10_000;

export const serve = async (config: Config): Promise<void> => {
  const logger = pino(loggerOptions(config.logLevel));
  const ledger = await openLedger(config, { logger, showTokens: true });
  await ledger.projections.start();
  ledger.follower.start();
  const app = await buildApp({
    ...ledger,
    bodyLimit: config.bodyLimit,
    readyMaxLag: config.readyMaxLag,
    auditKeyName: config.audit.origin,
    protection: config.protection,
    limits: config.limits,
    logger: loggerOptions(config.logLevel),
  });
  if (ledger.generatedTokens) {
    // Printed once, on the first start; afterwards they are only in the file (mode 0600).
    const lines = ledger.generatedTokens.tokens.map((t) => `  ${t.role.padEnd(12)} ${t.token}`);
    process.stdout.write(
      `\nGenerated API tokens (only their digests are kept, in ${ledger.generatedTokens.file}; shown only now):\n${lines.join('\n')}\n\n`,
    );
  }
  // Tokens added or revoked with `npm run ledger -- tokens` take effect within a second or two.
  const stopWatchingTokens = ledger.tokenFile.watch(ledger.tokens, (error) =>
    logger.warn({ err: error }, 'token file unreadable; keeping the tokens loaded before'),
  );
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    // A connection that never sends a request would hold close() for the keep-alive timeout (72 s).
    const drained = setTimeout(() => app.server.closeAllConnections(), SHUTDOWN_GRACE_MS);
    await app.close();
    clearTimeout(drained);
    stopWatchingTokens();
    await closeLedger(ledger);
    logger.info('stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  const address = await app.listen({ port: config.port, host: config.host });
  process.stdout.write(`meeting-ledger listening on ${address} (store: ${describeStore(config)})\n`);
};

const isEntryPoint = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isEntryPoint) {
  try {
    await serve(loadConfig());
  } catch (error) {
    process.stderr.write(`${error instanceof ConfigError ? error.message : String((error as Error).stack ?? error)}\n`);
    process.exit(1);
  }
}
