import type pg from 'pg';
import { AppendSignal } from './appendSignal.js';
import { catchUpSubscription } from './catchUpSubscription.js';
import { IdempotencyKeyUsed, StoreUnavailable, WrongExpectedVersion } from './errors.js';
import type {
  AppendOptions,
  AppendResult,
  EventStore,
  IdempotencyRecord,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  Subscription,
} from './eventStore.js';
import { checkExpectedRevision } from './expectedRevision.js';
import type { PostgresDatabase } from './postgresDatabase.js';
import { asStoreError, isUnavailable } from './postgresErrors.js';
import { APPEND_CHANNEL, PostgresListener } from './postgresListener.js';

/** Any fixed number: the transaction-scoped advisory lock every append holds until it commits. */
const APPEND_LOCK = 0x6c6f67; // 'log'

export type PostgresStoreOptions = {
  /** How often subscribers read anyway when no notification came (LISTEN dropped). */
  pollMs?: number;
  clock?: () => Date;
  /** Runs inside an append's transaction just before COMMIT: lets tests hold a transaction open. */
  beforeCommit?: (streamId: string) => Promise<void>;
};

type EventRow = {
  position: string;
  event_id: string;
  stream_id: string;
  revision: string;
  type: string;
  data: string;
  metadata: string;
  recorded_at: string;
};

const toRecorded = (row: EventRow): RecordedEvent => ({
  eventId: row.event_id,
  streamId: row.stream_id,
  revision: Number(row.revision),
  position: Number(row.position),
  type: row.type,
  data: JSON.parse(row.data) as unknown,
  metadata: JSON.parse(row.metadata) as Record<string, unknown>,
  recordedAt: row.recorded_at,
});

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
  private closed = false;

  constructor(
    database: PostgresDatabase,
    private readonly options: PostgresStoreOptions = {},
  ) {
    this.pool = database.pool;
    this.clock = options.clock ?? (() => new Date());
    this.listener = new PostgresListener(database.clientConfig, this.signal);
  }

  /** Starts listening for appends committed by any process. */
  async start(): Promise<void> {
    await this.listener.start();
  }

  async appendToStream(
    streamId: string,
    events: readonly NewEvent[],
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    const client = await this.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [APPEND_LOCK]);
      const result = await this.appendLocked(client, streamId, events, options);
      await this.options.beforeCommit?.(streamId);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      broken = isUnavailable(error);
      if (!broken) await client.query('ROLLBACK').catch(() => undefined);
      throw asStoreError(error, 'The event store could not commit; retry later');
    } finally {
      client.release(broken);
    }
  }

  private async appendLocked(
    client: pg.PoolClient,
    streamId: string,
    events: readonly NewEvent[],
    { idempotency, expectedRevision = 'any' }: AppendOptions,
  ): Promise<AppendResult> {
    if (idempotency) {
      const existing = await client.query<IdempotencyRow>(IDEMPOTENCY_SELECT, [idempotency.scope]);
      if (existing.rows[0]) throw new IdempotencyKeyUsed(toIdempotencyRecord(existing.rows[0]));
    }
    const current = (
      await client.query<{ revision: string; position: string }>(
        'SELECT revision, position FROM streams WHERE stream_id = $1',
        [streamId],
      )
    ).rows[0];
    const currentRevision = current ? Number(current.revision) : -1;
    if (!checkExpectedRevision(expectedRevision, currentRevision)) {
      throw new WrongExpectedVersion(streamId, expectedRevision, currentRevision);
    }
    let result: AppendResult = {
      nextExpectedRevision: currentRevision,
      position: current ? Number(current.position) : 0,
    };
    if (events.length > 0) {
      const stamp = await this.commitStamp(client);
      const inserted = await client.query<{ position: string }>(
        `INSERT INTO events (event_id, stream_id, revision, type, data, metadata, recorded_at)
         SELECT e.event_id, $1, $2::bigint + e.ordinality, e.type, e.data, e.metadata, e.recorded_at
         FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
           WITH ORDINALITY AS e(event_id, type, data, metadata, recorded_at, ordinality)
         ORDER BY e.ordinality
         RETURNING position`,
        [
          streamId,
          currentRevision,
          events.map((e) => e.eventId),
          events.map((e) => e.type),
          events.map((e) => JSON.stringify(e.data)),
          events.map((e) => JSON.stringify(e.metadata)),
          events.map((e) => e.recordedAt ?? stamp),
        ],
      );
      const position = Math.max(...inserted.rows.map((row) => Number(row.position)));
      result = { nextExpectedRevision: currentRevision + events.length, position };
      await client.query(
        `INSERT INTO streams (stream_id, revision, position) VALUES ($1, $2, $3)
         ON CONFLICT (stream_id) DO UPDATE SET revision = excluded.revision, position = excluded.position`,
        [streamId, result.nextExpectedRevision, result.position],
      );
      await client.query('SELECT pg_notify($1, $2)', [APPEND_CHANNEL, String(position)]);
    }
    if (idempotency) {
      const response = idempotency.respond(result);
      await client.query(
        'INSERT INTO idempotency (scope, fingerprint, status, body, stream_id, position) VALUES ($1, $2, $3, $4, $5, $6)',
        [
          idempotency.scope,
          idempotency.fingerprint,
          response.status,
          JSON.stringify(response.body),
          streamId,
          result.position,
        ],
      );
    }
    return result;
  }

  /**
   * The recorded time of this append, never earlier than the last one (read under the lock): positions
   * and recorded times rise together across processes, so "the ledger as of time t" is a prefix of the log.
   */
  private async commitStamp(client: pg.PoolClient): Promise<string> {
    const last = await client.query<{ recorded_at: string }>(
      'SELECT recorded_at FROM events ORDER BY position DESC LIMIT 1',
    );
    const now = this.clock().toISOString();
    const previous = last.rows[0]?.recorded_at ?? '';
    return now > previous ? now : previous;
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
    return rows.map(toRecorded);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const rows = await this.query<EventRow>(
      `SELECT ${COLUMNS} FROM events WHERE position > $1 ORDER BY position ASC LIMIT $2`,
      [options.after ?? 0, options.maxCount ?? null],
    );
    return rows.map(toRecorded);
  }

  subscribeToAll(options: { after?: number } = {}): Subscription {
    return catchUpSubscription(
      { readAll: (o) => this.readAll(o), signal: this.signal, pollMs: this.options.pollMs ?? 1_000 },
      options.after ?? 0,
    );
  }

  async headPosition(): Promise<number> {
    const rows = await this.query<{ position: string | null }>('SELECT max(position) AS position FROM events');
    return Number(rows[0]?.position ?? 0);
  }

  async positionAt(instant: string): Promise<number> {
    const rows = await this.query<{ position: string }>(
      'SELECT position FROM events WHERE recorded_at <= $1 ORDER BY recorded_at DESC, position DESC LIMIT 1',
      [new Date(instant).toISOString()],
    );
    return Number(rows[0]?.position ?? 0);
  }

  async findIdempotencyRecord(scope: string): Promise<IdempotencyRecord | undefined> {
    const rows = await this.query<IdempotencyRow>(IDEMPOTENCY_SELECT, [scope]);
    return rows[0] && toIdempotencyRecord(rows[0]);
  }

  /** Answers only if the log itself can be read, not merely a connection opened. */
  async ping(): Promise<void> {
    await this.query('SELECT position FROM events ORDER BY position DESC LIMIT 1');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.listener.stop();
    // Waits for the connections in use: an append in flight commits and is answered first.
    await this.pool.end();
  }

  private async connect(): Promise<pg.PoolClient> {
    if (this.closed) throw new StoreUnavailable('The event store is closed');
    try {
      return await this.pool.connect();
    } catch (error) {
      throw new StoreUnavailable('The event store cannot be reached; retry later', 1, { cause: error });
    }
  }

  private async query<Row extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<Row[]> {
    if (this.closed) throw new StoreUnavailable('The event store is closed');
    try {
      return (await this.pool.query<Row>(sql, values)).rows;
    } catch (error) {
      throw asStoreError(error, 'The event store could not be read; retry later');
    }
  }
}

type IdempotencyRow = { scope: string; fingerprint: string; status: number; body: string };

const IDEMPOTENCY_SELECT = 'SELECT scope, fingerprint, status, body FROM idempotency WHERE scope = $1';

const toIdempotencyRecord = (row: IdempotencyRow): IdempotencyRecord => ({
  scope: row.scope,
  fingerprint: row.fingerprint,
  status: row.status,
  body: JSON.parse(row.body) as unknown,
});
