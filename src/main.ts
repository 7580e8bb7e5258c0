import { createHmac, type KeyObject } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pino from 'pino';
import { watchCatchUp } from './application/catchUpProgress.js';
import { CommandHandler } from './application/commandHandler.js';
import { DataDirectoryLocked, lockDataDirectory, type DataDirectoryLock } from './application/dataDirectoryLock.js';
import { LogFollower, type Divergence } from './application/logFollower.js';
import { AuditLog } from './audit/auditLog.js';
import type { AuditStore } from './audit/auditStore.js';
import { CheckpointSigner, loadOrCreateSigningKey } from './audit/checkpointSigner.js';
import { SqliteAuditStore } from './audit/sqliteAuditStore.js';
import { LedgerCommands } from './application/ledgerCommands.js';
import { SqliteStreamSnapshots } from './application/sqliteStreamSnapshots.js';
import type { StreamSnapshotStore } from './application/streamSnapshots.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import type { CommitObserver, EventStore } from './eventStore/eventStore.js';
import { SqliteEventStore } from './eventStore/sqliteEventStore.js';
import { farBehind, FOLLOWER_PAGE_EVENTS, ProjectionCatchUp } from './projectionCatchUp.js';
import { ProjectionEngine } from './projections/projectionEngine.js';
import { ProjectionDatabase } from './projections/store/projectionDatabase.js';
import { TokenFile } from './http/tokenFile.js';
import { startingTokens } from './http/startingTokens.js';
import type { TokenRegistry } from './http/tokens.js';
import { closeLogOutput, lifecycleLogger, loggerOptions, openLogOutput } from './logOutput.js';
import { LedgerMetrics } from './metrics/ledgerMetrics.js';

export type Ledger = {
  config: Config;
  /** This process alone writes the data directory while the ledger is open. */
  lock: DataDirectoryLock;
  store: EventStore;
  projections: ProjectionEngine;
  auditStore: AuditStore;
  audit: AuditLog;
  /** One read of the log for everything derived from it: the projections and the audit log. Started by the caller. */
  follower: LogFollower;
  handler: CommandHandler;
  /** Folds of long streams saved now and then (derived, deletable: data/stream-snapshots.sqlite). */
  streamSnapshots: StreamSnapshotStore;
  commands: LedgerCommands;
  tokens: TokenRegistry;
  /** Managed tokens (`npm run ledger -- tokens`), re-read while the server runs. */
  tokenFile: TokenFile;
  /** Signs the projections' page cursors: derived from the signing key, so cursors outlive a restart. */
  cursorKey: Buffer;
  /** Signs the web console's session cookies (derived from the signing key like `cursorKey`). */
  sessionKey: Buffer;
  /** Counted as commands run; served at /metrics by the HTTP app. */
  metrics: LedgerMetrics;
  /** Set when tokens were generated on this start: they are shown once, here. */
  generatedTokens?: { file: string; tokens: { role: string; token: string }[] };
};

/**
 * The event store the configuration names. The PostgreSQL and EventStoreDB adapters (pg, gRPC) and
 * the HTTP app (fastify and its plugins) are imported where they are used: a CLI command on the
 * default SQLite store then starts without loading them (~0.5 s of imports).
 */
const openStore = async (config: Config, onCommit: CommitObserver): Promise<EventStore> => {
  mkdirSync(config.dataDir, { recursive: true });
  switch (config.store.kind) {
    case 'sqlite':
      return new SqliteEventStore(join(config.dataDir, 'ledger.sqlite'), {
        synchronous: config.sqliteSynchronous,
        checkpointInBackground: true,
        onCommit,
      });
    case 'postgres': {
      const [{ openPostgres }, { PostgresEventStore }] = await Promise.all([
        import('./eventStore/postgresDatabase.js'),
        import('./eventStore/postgresEventStore.js'),
      ]);
      const database = await openPostgres({ connectionString: config.store.url, schema: config.store.schema });
      const store = new PostgresEventStore(database, { onCommit });
      await store.start();
      return store;
    }
    case 'eventstoredb': {
      const { openEventStoreDb } = await import('./eventStore/eventStoreDbEventStore.js');
      // Idempotency records live beside this instance (see the adapter).
      return openEventStoreDb(config.store.connectionString, { dataDir: config.dataDir, onCommit });
    }
  }
};

/**
 * The projections of this process, as temporal rows in `data/projections.sqlite` whatever the event
 * store: they are derived from the log and can be rebuilt from it, so each process keeps its own,
 * beside its audit log, and reads them without a network round trip.
 */
const openProjections = (config: Config, logger?: pino.Logger): ProjectionEngine =>
  new ProjectionEngine(
    new ProjectionDatabase(join(config.dataDir, 'projections.sqlite'), { checkpointInBackground: true }),
    {
      onFailure: (name, failure, error) =>
        logger?.error({ projection: name, failure, err: error }, 'projection stopped'),
    },
  );

/** Loud: the log was replaced under what was derived from it, which is now rebuilt from the log. */
const reportDivergence = (divergence: Divergence, logger: pino.Logger | undefined): void => {
  const message = `the log no longer holds what was derived from it (restored from an older copy?): ${divergence.problems.join('; ')}; rebuilding the projections and the audit tree from the log (head at position ${divergence.head})`;
  if (logger) logger.error(divergence, message);
  else process.stderr.write(`${message}; ${divergence.keptAside.join('; ')}\n`);
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

/** A key for one purpose, derived from the signing key: it outlives a restart, and each use gets its own. */
const derivedKey = (signingKey: KeyObject, purpose: string): Buffer =>
  createHmac('sha256', signingKey.export({ type: 'pkcs8', format: 'der' }))
    .update(purpose)
    .digest();

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
  {
    logger,
    showTokens = false,
    catchUpOnly = false,
  }: {
    logger?: pino.Logger;
    showTokens?: boolean;
    /** Opened to catch up and close (a CLI command): the first consumer that cannot commit ends the catch-up. */
    catchUpOnly?: boolean;
  } = {},
): Promise<Ledger> => {
  mkdirSync(config.dataDir, { recursive: true });
  const lock = lockDataDirectory(config.dataDir);
  try {
    return await openLocked(config, lock, { logger, showTokens, catchUpOnly });
  } catch (error) {
    lock.release();
    throw error;
  }
};

const openLocked = async (
  config: Config,
  lock: DataDirectoryLock,
  { logger, showTokens, catchUpOnly }: { logger?: pino.Logger | undefined; showTokens: boolean; catchUpOnly: boolean },
): Promise<Ledger> => {
  const metrics = new LedgerMetrics();
  const store = await openStore(config, metrics.committed);
  // Per process, beside every store kind: a snapshot is derived from the log and checked against it.
  const streamSnapshots = new SqliteStreamSnapshots(join(config.dataDir, 'stream-snapshots.sqlite'));
  const handler = new CommandHandler(store, {
    maxEventsPerStream: config.limits.eventsPerStream,
    snapshots: streamSnapshots,
    onAppendSettled: metrics.appendSettled,
  });
  const commands = new LedgerCommands(handler, undefined, config.limits);
  const projections = openProjections(config, logger);
  const auditStore = new SqliteAuditStore(join(config.dataDir, 'audit.sqlite'));
  const signingKey = loadOrCreateSigningKey(config.audit.signingKeyFile ?? join(config.dataDir, 'signing-key.pem'));
  const audit = new AuditLog(auditStore, new CheckpointSigner(config.audit.origin, signingKey), {
    ...config.audit,
    onError: (error) => logger?.error({ err: error }, 'audit checkpoint could not be signed or kept'),
  });
  // One read of the log for all that is derived from it.
  const follower = new LogFollower(store, [projections, audit], {
    pageSize: FOLLOWER_PAGE_EVENTS,
    stopOnFailure: catchUpOnly,
    onError: (consumer, error) =>
      logger?.warn({ consumer, err: error }, 'could not commit; reading the log again shortly'),
    onDivergence: (divergence) => reportDivergence(divergence, logger),
  });
  // Before anything is served: a ledger restored from an older copy is rebuilt from, never served stale.
  await follower.reconcile();
  const tokenFile = new TokenFile(config.dataDir);
  // A first start with no tokens configured generates one per role, shown once by the caller.
  const generated = showTokens && config.tokens.length === 0 ? tokenFile.generateFirst() : undefined;
  return {
    ...{ config, lock, store, projections, follower, auditStore, audit, handler, streamSnapshots, commands, tokenFile },
    metrics,
    cursorKey: derivedKey(signingKey, 'meeting-ledger page cursors'),
    sessionKey: derivedKey(signingKey, 'meeting-ledger console sessions'),
    // LEDGER_TOKENS' tokens get ids every instance derives alike (see fixedTokenId).
    tokens: await startingTokens(config.tokens, tokenFile, (error) => {
      const line = `${error.message}; starting with the LEDGER_TOKENS tokens only`;
      if (logger) logger.error({ file: tokenFile.file }, line);
      else process.stderr.write(`${line}\n`);
    }),
    ...(generated && { generatedTokens: { file: tokenFile.file, tokens: generated } }),
  };
};

/** Stops what runs (projections, the log follower) after saving their progress, then closes every store. */
export const closeLedger = async (ledger: Ledger): Promise<void> => {
  await ledger.follower.stop();
  ledger.projections.stop();
  await ledger.projections.database.close();
  ledger.audit.stop(); // signs the tree as it stands, as on every stop
  ledger.auditStore.close();
  await ledger.handler.snapshotsSaved();
  await ledger.streamSnapshots.close();
  await ledger.store.close();
  ledger.lock.release();
};

/** The server's port is taken by another process: one line naming it, never a listen stack. */
export class PortInUse extends Error {
  constructor(host: string, port: number) {
    super(`Port ${port} on ${host} is already in use by another process: stop it, or set PORT to a free port`);
  }
}

/**
 * Starts applying the log. Projections far behind it (cold, or after a long stop: see farBehind)
 * are first caught up on a worker thread, so that this event loop serves requests meanwhile, and
 * only the audit log is followed here; then the follower applies everything here. Progress is
 * logged every 10 s until caught up, then how long it took: /readyz says 503 meanwhile, and this
 * says why and for how long yet.
 */
const startFollowing = async (
  ledger: Ledger,
  config: Config,
  logger: pino.Logger,
): Promise<{ stop: () => Promise<void> }> => {
  const started = performance.now();
  const from = ledger.projections.applied();
  let stopped = false;
  const worker = (await farBehind(ledger.projections, ledger.store))
    ? new ProjectionCatchUp(config, from, { onReport: ({ level, msg, details }) => logger[level](details, msg) })
    : undefined;
  // The audit log is not held up by the worker: new events get their leaves and checkpoints meanwhile.
  const auditMeanwhile =
    worker &&
    new LogFollower(ledger.store, [ledger.audit], {
      pageSize: FOLLOWER_PAGE_EVENTS,
      onError: (consumer, error) =>
        logger.warn({ consumer, err: error }, 'could not commit; reading the log again shortly'),
    });
  auditMeanwhile?.start();
  /** After the worker: the engine takes up from its checkpoints, one follower feeds everything. */
  const follow = async (outcome: 'finished' | 'failed'): Promise<void> => {
    await auditMeanwhile?.stop();
    if (stopped) return;
    ledger.projections.reload();
    ledger.follower.start();
    if (outcome === 'failed') logger.warn('catching up on the main thread from where the worker stopped');
  };
  const outcome: Promise<'finished' | 'failed' | undefined> = worker
    ? worker.done.then(
        () => 'finished' as const,
        async (error: unknown) => {
          logger.warn({ err: error }, 'the catch-up worker did not finish');
          await worker.exited; // its connections closed: the main thread may write
          return 'failed' as const;
        },
      )
    : Promise.resolve(undefined);
  if (worker) logger.info({ from }, 'projections far behind the log: catching up on a worker thread');
  else ledger.follower.start();
  const watch = await watchCatchUp(
    {
      position: () => Math.max(worker?.applied() ?? 0, ledger.projections.applied()),
      head: () => ledger.store.headPosition(),
    },
    (progress) => logger.info(progress, 'projections catching up'),
    { everyMs: 10_000 },
  );
  void outcome
    .then(async (ended) => {
      if (ended) await follow(ended);
      await ledger.follower.caughtUp;
      const position = ledger.projections.position();
      const ms = Math.round(performance.now() - started);
      if (position > from) logger.info({ from, position, ms, worker: ended ?? 'none' }, 'projections caught up');
    })
    .catch((error: unknown) => logger.error({ err: error }, 'could not take up after the catch-up worker'))
    .finally(() => watch.stop());
  return {
    stop: async () => {
      stopped = true;
      watch.stop();
      await worker?.stop();
      await auditMeanwhile?.stop();
    },
  };
};

const SHUTDOWN_GRACE_MS = 10_000;
/** How long the last log lines may take to reach a slow stdout reader before the process exits anyway. */
const LOG_FLUSH_MS = 2_000;

export const serve = async (config: Config): Promise<void> => {
  // Every file the ledger creates (SQLite databases and their -wal/-shm, key, tokens, locks) is the
  // owner's alone: SQLite creates its files 0644 less the umask, and its -wal/-shm like the database.
  process.umask(0o077);
  // Fastify and the routes load while the ledger opens and a worker (if any) starts catching up.
  const httpApp = import('./http/app.js');
  httpApp.catch(() => undefined); // a failure is thrown where it is awaited, below
  const logOutput = await openLogOutput();
  const logger = pino(loggerOptions(config.logLevel), logOutput.destination);
  const lifecycle = lifecycleLogger(logger);
  const ledger = await openLedger(config, { logger, showTokens: true });
  const following = await startFollowing(ledger, config, lifecycle);
  const { buildApp } = await httpApp;
  const app = await buildApp({
    ...ledger,
    bodyLimit: config.bodyLimit,
    readyMaxLag: config.readyMaxLag,
    auditKeyName: config.audit.origin,
    protection: config.protection,
    limits: config.limits,
    logger: { ...loggerOptions(config.logLevel), stream: logOutput.destination },
  });
  if (ledger.generatedTokens) {
    // Printed once, on the first start, for the person starting it: on standard error, never in the
    // log stream (collected, kept, shipped); afterwards they are only in the file (mode 0600).
    const lines = ledger.generatedTokens.tokens.map((t) => `  ${t.role.padEnd(12)} ${t.token}`);
    process.stderr.write(
      `\nGenerated API tokens (only their digests are kept, in ${ledger.generatedTokens.file}; shown only now):\n${lines.join('\n')}\n\n`,
    );
  }
  // Tokens added or revoked with `npm run ledger -- tokens` take effect within a second or two.
  const stopWatchingTokens = ledger.tokenFile.watch(ledger.tokens, (error) =>
    logger.warn({ err: error }, 'token file unreadable; keeping the tokens loaded before'),
  );
  const stop = async (signal: string) => {
    lifecycle.info({ signal }, 'shutting down: finishing in-flight requests');
    let failed = false;
    try {
      await following.stop(); // a worker finishing now must not hand over to a follower being stopped
      // A connection that never sends a request would hold close() for the keep-alive timeout (72 s).
      const drained = setTimeout(() => app.server.closeAllConnections(), SHUTDOWN_GRACE_MS);
      await app.close();
      clearTimeout(drained);
      stopWatchingTokens();
      await closeLedger(ledger);
      lifecycle.info('stopped');
    } catch (error) {
      failed = true;
      logger.error({ err: error }, 'could not stop cleanly');
    }
    await closeLogOutput(logOutput, LOG_FLUSH_MS);
    process.exit(failed ? 1 : 0);
  };
  // `on`, not `once`: a second signal during the stop (a supervisor repeating itself, npm passing on
  // the one its process group already got) would otherwise take Node's default action and kill the
  // process between committing and closing the stores.
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return logger.warn({ signal }, 'already shutting down; signal ignored');
    stopping = true;
    void stop(signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  let address: string;
  try {
    address = await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    if ((error as { code?: string }).code !== 'EADDRINUSE') throw error;
    // Nothing was served: close what was opened, so the data directory is free again at once.
    process.off('SIGTERM', onSignal).off('SIGINT', onSignal);
    await following.stop();
    await app.close();
    stopWatchingTokens();
    await closeLedger(ledger);
    await closeLogOutput(logOutput, LOG_FLUSH_MS);
    throw new PortInUse(config.host, config.port);
  }
  lifecycle.info({ address, store: describeStore(config) }, 'listening');
};

const isEntryPoint = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isEntryPoint) {
  try {
    await serve(loadConfig());
  } catch (error) {
    const known = error instanceof ConfigError || error instanceof DataDirectoryLocked || error instanceof PortInUse;
    process.stderr.write(`${known ? error.message : String((error as Error).stack ?? error)}\n`);
    process.exit(1);
  }
}
