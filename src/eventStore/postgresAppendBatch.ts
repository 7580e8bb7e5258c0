import type pg from 'pg';
import { IdempotencyKeyUsed, WrongExpectedVersion } from './errors.js';
import type { AppendOptions, AppendResult, NewEvent } from './eventStore.js';
import { checkExpectedRevision } from './expectedRevision.js';
import type { AppendOutcome } from './commitObserved.js';
import { APPEND_CHANNEL } from './postgresListener.js';
import { idempotencyFromRow, storedData } from './storedRows.js';

/** Any fixed number: with the schema's hash, the transaction-scoped advisory lock every append batch holds until it commits. */
const APPEND_LOCK = 0x6c6f67; // 'log'

/** One lock per ledger (schema), so that ledgers sharing a database never wait for each other. */
export const takeAppendLock = async (client: pg.ClientBase, schema: string): Promise<void> => {
  await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [APPEND_LOCK, schema]);
};

export type PendingAppend = {
  streamId: string;
  events: readonly NewEvent[];
  options: AppendOptions;
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
};

/**
 * Appends a batch in one transaction, under the append lock (see PostgresEventStore on the gap
 * problem). Two round trips per append (read the key and the stream in one query, then write events
 * and stream in one statement) and one multi-row insert for the batch's idempotency records; a
 * refused append (key used, wrong revision) writes nothing and does not disturb its neighbours.
 * An unexpected error aborts the transaction and is thrown: the caller retries each append alone.
 */
export const appendBatch = async (
  client: pg.PoolClient,
  schema: string,
  batch: readonly PendingAppend[],
  now: string,
  beforeCommit?: (streamIds: string[]) => Promise<void>,
): Promise<AppendOutcome[]> => {
  await client.query('BEGIN');
  await takeAppendLock(client, schema);
  const stamp = await commitStamp(client, now);
  const outcomes: AppendOutcome[] = [];
  for (const pending of batch) outcomes.push(await appendOne(client, pending, stamp));
  const records = batch.flatMap((pending, i) => {
    const outcome = outcomes[i];
    const key = pending.options.idempotency;
    if (!key || !outcome || !('ok' in outcome)) return [];
    const response = key.respond(outcome.ok);
    return [{ ...key, ...response, streamId: pending.streamId, position: outcome.ok.position }];
  });
  if (records.length > 0) {
    await client.query(
      `INSERT INTO idempotency (scope, fingerprint, status, body, stream_id, position)
       SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::bigint[])`,
      [
        records.map((r) => r.scope),
        records.map((r) => r.fingerprint),
        records.map((r) => r.status),
        records.map((r) => JSON.stringify(r.body)),
        records.map((r) => r.streamId),
        records.map((r) => r.position),
      ],
    );
  }
  if (batch.some((pending, i) => pending.events.length > 0 && outcomes[i] && 'ok' in outcomes[i])) {
    await client.query('SELECT pg_notify($1, $2)', [APPEND_CHANNEL, schema]);
  }
  await beforeCommit?.(batch.map((pending) => pending.streamId));
  await client.query('COMMIT');
  return outcomes;
};

/**
 * The recorded time of this batch, never earlier than the last one (read under the lock): positions
 * and recorded times rise together across processes, so "the ledger as of time t" is a prefix of the log.
 */
export const commitStamp = async (client: pg.PoolClient, now: string): Promise<string> => {
  const last = await client.query<{ recorded_at: string }>(
    'SELECT recorded_at FROM events ORDER BY position DESC LIMIT 1',
  );
  const previous = last.rows[0]?.recorded_at ?? '';
  return now > previous ? now : previous;
};

type CurrentRow = {
  revision: string | null;
  position: string | null;
  fingerprint: string | null;
  status: number | null;
  body: string | null;
};

export const appendOne = async (
  client: pg.PoolClient,
  pending: Pick<PendingAppend, 'streamId' | 'events' | 'options'>,
  stamp: string,
): Promise<AppendOutcome> => {
  const { streamId, events, options } = pending;
  const scope = options.idempotency?.scope ?? null;
  const current = (
    await client.query<CurrentRow>(
      `SELECT s.revision, s.position, i.fingerprint, i.status, i.body
       FROM (SELECT 1) AS one
       LEFT JOIN streams s ON s.stream_id = $1
       LEFT JOIN idempotency i ON i.scope = $2`,
      [streamId, scope],
    )
  ).rows[0];
  if (scope !== null && current?.fingerprint != null && current.status !== null && current.body !== null) {
    const record = idempotencyFromRow({
      scope,
      fingerprint: current.fingerprint,
      status: current.status,
      body: current.body,
    });
    return { error: new IdempotencyKeyUsed(record) };
  }
  const currentRevision = current?.revision == null ? -1 : Number(current.revision);
  const expected = options.expectedRevision ?? 'any';
  if (!checkExpectedRevision(expected, currentRevision)) {
    return { error: new WrongExpectedVersion(streamId, expected, currentRevision) };
  }
  if (events.length === 0) {
    return { ok: { nextExpectedRevision: currentRevision, position: Number(current?.position ?? 0) } };
  }
  const written = await client.query<{ position: string }>(
    `WITH inserted AS (
       INSERT INTO events (event_id, stream_id, revision, type, data, metadata, recorded_at)
       SELECT e.event_id, $1, $2::bigint + e.ordinality, e.type, e.data, e.metadata, e.recorded_at
       FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
         WITH ORDINALITY AS e(event_id, type, data, metadata, recorded_at, ordinality)
       ORDER BY e.ordinality
       RETURNING position
     )
     INSERT INTO streams (stream_id, revision, position)
     SELECT $1, $2::bigint + $8, max(position) FROM inserted
     ON CONFLICT (stream_id) DO UPDATE SET revision = excluded.revision, position = excluded.position
     RETURNING position`,
    [
      streamId,
      currentRevision,
      events.map((e) => e.eventId),
      events.map((e) => e.type),
      events.map((e) => storedData(e.data)),
      events.map((e) => JSON.stringify(e.metadata)),
      events.map((e) => e.recordedAt ?? stamp),
      events.length,
    ],
  );
  return { ok: { nextExpectedRevision: currentRevision + events.length, position: Number(written.rows[0]?.position) } };
};

/** Where an append's last event landed, if it is in the log (for settling an append whose commit went unanswered). */
export const findLanded = async (client: pg.ClientBase, pending: PendingAppend): Promise<AppendResult | undefined> => {
  const last = pending.events.at(-1);
  if (!last) return undefined;
  const { rows } = await client.query<{ revision: string; position: string }>(
    'SELECT revision, position FROM events WHERE event_id = $1 AND stream_id = $2',
    [last.eventId, pending.streamId],
  );
  const row = rows[0];
  return row && { nextExpectedRevision: Number(row.revision), position: Number(row.position) };
};
