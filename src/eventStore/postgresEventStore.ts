import type pg from 'pg';
import { AppendSignal } from './appendSignal.js';
import { catchUpLog, eventsOf } from './catchUpSubscription.js';
import { commitObserved } from './commitObserved.js';
import { StoreClosed, StoreUnavailable, WrongExpectedVersion } from './errors.js';
import type {
  AppendOptions,
  AppendResult,
  BatchesAppended,
  CommitObserver,
  EventStore,
  IdempotencyRecord,
  LogSubscription,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  StoredEvent,
  StreamBatch,
  Subscription,
} from './eventStore.js';
import type { PostgresDatabase } from './postgresDatabase.js';
import {
  idempotencyFromRow,
  recordedFromRow,
  recordedFromStored,
  storedFromRow,
  type EventRow,
  type IdempotencyRow,
} from './storedRows.js';
import { asStoreError, isUnavailable } from './postgresErrors.js';
import {
  appendBatch,
  appendOne,
  commitStamp,
  findLanded,
  takeAppendLock,
  type PendingAppend,
} from './postgresAppendBatch.js';
import { APPEND_CHANNEL } from './postgresListener.js';
import { PostgresListener } from './postgresListener.js';

export type PostgresStoreOptions = {
  /** How often subscribers read anyway when no notification came (LISTEN dropped). */
  pollMs?: number;
  clock?: () => Date;
  /** Most appends committed in one transaction (group commit). */
  maxBatch?: number;
  /** Runs inside a batch's transaction just before COMMIT: lets tests hold a transaction open. */
  beforeCommit?: (streamIds: string[]) => Promise<void>;
  /** Told of each group commit that committed (metrics); never of `appendBatches`, an import. */
  onCommit?: CommitObserver;
};

const COLUMNS = 'position, event_id, stream_id, revision, type, data, metadata, recorded_at';

/**
 * The event store on PostgreSQL, for deployments with several ledger processes on one database.
 *
 * The gap problem: positions come from an identity column, handed out at INSERT but visible only at
 * COMMIT. If two appends overlapped, the later position could commit first; a subscriber reading
 * "after p" would move past the earlier one, which commits a moment later, and never see it. Here
 * every append takes one transaction-scoped advisory lock before it reads or writes anything, so
 * appends commit one at a time in position order, and "position > p" never skips an event. The
 * alternative (record pg_current_xact_id() and read only below pg_snapshot_xmin) keeps writers
 * parallel but orders the log by transaction id, not by position, and a long transaction holds every
 * subscriber back anyway. For a ledger, whose appends are short, one lock is simpler and provably
 * gap-free; its cost is measured in `npm run bench -- --store postgres`.
 *
 * The same lock makes the checks (idempotency key, expected revision) and the writes one atomic step
 * across processes; the idempotency record is written in the append's transaction.
 */
export class PostgresEventStore implements EventStore {
  private readonly signal = new AppendSignal();
  private readonly listener: PostgresListener;
  private readonly pool: pg.Pool;
  private readonly clock: () => Date;
  private readonly schema: string;
  /** False once close() began: new appends are refused, those already queued still commit. */
  private accepting = true;
  /** True once the queue is drained and the connections are closing. */
  private closed = false;
  private closing: Promise<void> | undefined;
  private queue: PendingAppend[] = [];
  private flushing: Promise<void> | undefined;

  constructor(
    database: PostgresDatabase,
    private readonly options: PostgresStoreOptions = {},
  ) {
    this.pool = database.pool;
    this.clock = options.clock ?? (() => new Date());
    this.schema = database.schema;
    this.listener = new PostgresListener(database.clientConfig, database.schema, this.signal);
  }

  /** Starts listening for appends committed by any process. */
  async start(): Promise<void> {
    await this.listener.start();
  }

  appendToStream(streamId: string, events: readonly NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    if (!this.accepting) return Promise.reject(new StoreClosed());
    return new Promise((resolve, reject) => {
      this.queue.push({ streamId, events, options, resolve, reject });
      if (!this.flushing) this.flushing = this.flushSoon();
    });
  }

  /** Group commit: appends that arrive while a batch commits wait and commit together in the next one. */
  private async flushSoon(): Promise<void> {
    // Let every request of this turn of the event loop join the first batch.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.queue.length > 0) await this.commit(this.takeBatch());
    this.flushing = undefined;
  }

  /** The next batch: at most maxBatch appends, and a key twice only in separate batches (the second sees the first's record). */
  private takeBatch(): PendingAppend[] {
    const batch: PendingAppend[] = [];
    const scopes = new Set<string>();
    const rest: PendingAppend[] = [];
    for (const pending of this.queue) {
      const scope = pending.options.idempotency?.scope;
      if (batch.length >= (this.options.maxBatch ?? 100) || (scope !== undefined && scopes.has(scope))) {
        rest.push(pending);
        continue;
      }
      if (scope !== undefined) scopes.add(scope);
      batch.push(pending);
    }
    this.queue = rest;
    return batch;
  }

  readonly atomicBatches = true;

  /**
   * One transaction under the append lock for every batch: other appends, of this process or any
   * other, wait until it commits or rolls back, so the log never shows part of it.
   */
  async appendBatches(batches: AsyncIterable<StreamBatch>): Promise<BatchesAppended> {
    if (!this.accepting) throw new StoreClosed();
    const client = await this.connect();
    let loaded: BatchesAppended = { appended: 0, position: 0 };
    // The caller's own failures (its source of batches, a refused revision) are not the database's.
    let sourceFailure: unknown;
    async function* watched() {
      try {
        yield* batches;
      } catch (error) {
        sourceFailure = error;
        throw error;
      }
    }
    try {
      await client.query('BEGIN');
      await takeAppendLock(client, this.schema);
      const stamp = await commitStamp(client, this.clock().toISOString());
      for await (const { streamId, events, expectedRevision } of watched()) {
        const outcome = await appendOne(client, { streamId, events, options: { expectedRevision } }, stamp);
        if ('error' in outcome) throw outcome.error;
        if (events.length > 0) loaded = { appended: loaded.appended + events.length, position: outcome.ok.position };
      }
      await client.query('SELECT pg_notify($1, $2)', [APPEND_CHANNEL, this.schema]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      const ours = error === sourceFailure || error instanceof WrongExpectedVersion;
      client.release(!ours && isUnavailable(error));
      throw ours ? error : asStoreError(error, 'The event store failed; nothing of the batches was recorded');
    }
    client.release();
    this.signal.notify();
    return loaded;
  }

  /** Commits a batch and answers its callers only after COMMIT returned; on an unexpected error, retries each alone. */
  private async commit(batch: PendingAppend[]): Promise<void> {
    let client: pg.PoolClient;
    try {
      client = await this.connect();
    } catch (failure) {
      for (const pending of batch) pending.reject(failure);
      return;
    }
    try {
      const now = this.clock().toISOString();
      const began = performance.now();
      const outcomes = await appendBatch(client, this.schema, batch, now, this.options.beforeCommit);
      client.release();
      this.options.onCommit?.(commitObserved(batch, outcomes, began));
      batch.forEach((pending, i) => {
        const outcome = outcomes[i];
        if (outcome && 'ok' in outcome) pending.resolve(outcome.ok);
        else pending.reject(outcome?.error);
      });
      this.signal.notify();
    } catch (error) {
      const broken = isUnavailable(error);
      if (!broken) await client.query('ROLLBACK').catch(() => undefined);
      client.release(broken);
      if (broken) return this.settle(batch, error);
      if (batch.length === 1) return batch[0]?.reject(error);
      // One append broke the transaction for all: find it by committing each on its own.
      for (const pending of batch) await this.commit([pending]);
    }
  }

  /**
   * The connection failed with the batch's outcome unknown: it may have dropped after COMMIT reached
   * the server. Asks the database which appends are there, once the old transaction is over (taking
   * the append lock waits for it; the server ends a transaction left idle within seconds). A batch
   * commits whole: appends found are answered as committed; the others were not recorded, and a
   * retry is safe. If the database cannot be asked either, the caller is told the outcome is unknown.
   */
  private async settle(batch: readonly PendingAppend[], cause: unknown): Promise<void> {
    try {
      const client = await this.connect();
      try {
        await client.query('BEGIN');
        await takeAppendLock(client, this.schema);
        for (const pending of batch) {
          const landed = await findLanded(client, pending);
          if (landed) pending.resolve(landed);
          else pending.reject(new StoreUnavailable('The event store failed; nothing was recorded', 1, { cause }));
        }
        await client.query('COMMIT');
      } finally {
        client.release(true);
      }
    } catch {
      for (const pending of batch) {
        const detail = pending.options.idempotency
          ? 'The event store failed mid-commit; retry with the same Idempotency-Key'
          : 'The event store failed mid-commit and this command may be recorded: read the stream before retrying, and send an Idempotency-Key to make retries safe';
        pending.reject(new StoreUnavailable(detail, 1, { cause }));
      }
    }
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const direction = options.direction ?? 'forwards';
    const from = options.fromRevision ?? (direction === 'forwards' ? 'start' : 'end');
    const limit = options.maxCount ?? null;
    const rows =
      direction === 'forwards'
        ? await this.query<EventRow>(
            `SELECT ${COLUMNS} FROM events WHERE stream_id = $1 AND revision >= $2 ORDER BY revision ASC LIMIT $3`,
            [streamId, from === 'start' ? 0 : from === 'end' ? Number.MAX_SAFE_INTEGER : from, limit],
          )
        : await this.query<EventRow>(
            `SELECT ${COLUMNS} FROM events WHERE stream_id = $1 AND revision <= $2 ORDER BY revision DESC LIMIT $3`,
            [streamId, from === 'end' ? Number.MAX_SAFE_INTEGER : from === 'start' ? 0 : from, limit],
          );
    return rows.map(recordedFromRow);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    return (await this.readAllStored(options)).map(recordedFromStored);
  }

  async readAllStored(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    const rows = await this.query<EventRow>(
      `SELECT ${COLUMNS} FROM events WHERE position > $1 ORDER BY position ASC LIMIT $2`,
      [options.after ?? 0, options.maxCount ?? null],
    );
    return rows.map(storedFromRow);
  }

  subscribeToAll(options: { after?: number } = {}): Subscription {
    return eventsOf(this.subscribeToAllStored(options));
  }

  subscribeToAllStored(options: { after?: number; pageSize?: number } = {}): LogSubscription {
    const source = {
      readAllStored: (o: ReadAllOptions) => this.readAllStored(o),
      signal: this.signal,
      pollMs: this.options.pollMs ?? 1_000,
    };
    return catchUpLog(source, options.after ?? 0, options.pageSize);
  }

  async headPosition(): Promise<number> {
    const rows = await this.query<{ position: string | null }>('SELECT max(position) AS position FROM events');
    return Number(rows[0]?.position ?? 0);
  }

  async countEventsAfter(after: number, atMost: number): Promise<number> {
    const rows = await this.query<{ n: string }>(
      'SELECT count(*) AS n FROM (SELECT 1 FROM events WHERE position > $1 ORDER BY position LIMIT $2) AS after',
      [after, atMost],
    );
    return Number(rows[0]?.n ?? 0);
  }

  async positionAt(instant: string): Promise<number> {
    const rows = await this.query<{ position: string }>(
      'SELECT position FROM events WHERE recorded_at <= $1 ORDER BY recorded_at DESC, position DESC LIMIT 1',
      [new Date(instant).toISOString()],
    );
    return Number(rows[0]?.position ?? 0);
  }

  async findIdempotencyRecord(scope: string): Promise<IdempotencyRecord | undefined> {
    const rows = await this.query<IdempotencyRow>(
      'SELECT scope, fingerprint, status, body FROM idempotency WHERE scope = $1',
      [scope],
    );
    return rows[0] && idempotencyFromRow(rows[0]);
  }

  /** Answers only if the log itself can be read, not merely a connection opened. */
  async ping(): Promise<void> {
    await this.query('SELECT position FROM events ORDER BY position DESC LIMIT 1');
  }

  close(): Promise<void> {
    this.accepting = false;
    this.closing ??= (async () => {
      // Appends already accepted commit before the connections close: an accepted request is never dropped.
      await this.flushing;
      this.closed = true;
      await this.listener.stop();
      await this.pool.end();
    })();
    return this.closing;
  }

  private async connect(): Promise<pg.PoolClient> {
    if (this.closed) throw new StoreClosed();
    try {
      return await this.pool.connect();
    } catch (error) {
      throw new StoreUnavailable('The event store cannot be reached; retry later', 1, { cause: error });
    }
  }

  private async query<Row extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<Row[]> {
    if (this.closed) throw new StoreClosed();
    try {
      return (await this.pool.query<Row>(sql, values)).rows;
    } catch (error) {
      throw asStoreError(error, 'The event store could not be read; retry later');
    }
  }
}
