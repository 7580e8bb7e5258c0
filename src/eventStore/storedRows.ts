import type { IdempotencyRecord, RecordedEvent } from './eventStore.js';

/**
 * An event as the SQL adapters store it: payloads as the JSON text written. SQLite gives integers as
 * numbers, PostgreSQL gives bigint columns as strings; both read back the same.
 */
export type EventRow = {
  position: number | string;
  event_id: string;
  stream_id: string;
  revision: number | string;
  type: string;
  data: string;
  metadata: string;
  recorded_at: string;
};

export const recordedFromRow = (row: EventRow): RecordedEvent => ({
  eventId: row.event_id,
  streamId: row.stream_id,
  revision: Number(row.revision),
  position: Number(row.position),
  type: row.type,
  data: JSON.parse(row.data) as unknown,
  metadata: JSON.parse(row.metadata) as Record<string, unknown>,
  recordedAt: row.recorded_at,
});

export type IdempotencyRow = { scope: string; fingerprint: string; status: number; body: string };

export const idempotencyFromRow = (row: IdempotencyRow): IdempotencyRecord => ({
  scope: row.scope,
  fingerprint: row.fingerprint,
  status: row.status,
  body: JSON.parse(row.body) as unknown,
});
