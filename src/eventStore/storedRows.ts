import { canonicalJson } from './canonicalJson.js';
import type { IdempotencyRecord, RecordedEvent, StoredEvent } from './eventStore.js';

/**
 * An event's payload as the SQL adapters write it: its JCS text (RFC 8785, the form the audit
 * hashes), so that verification can hash the stored text as it is instead of parsing and
 * canonicalising it (see digestIfRecorded). It is the same JSON value; readers parse it alike. A
 * value JCS cannot write (never one that came from JSON) is written as JSON.stringify writes it.
 */
export const storedData = (data: unknown): string => {
  try {
    return canonicalJson(data);
  } catch {
    return JSON.stringify(data);
  }
};

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

export const storedFromRow = (row: EventRow): StoredEvent => ({
  eventId: row.event_id,
  streamId: row.stream_id,
  revision: Number(row.revision),
  position: Number(row.position),
  type: row.type,
  data: row.data,
  metadata: row.metadata,
  recordedAt: row.recorded_at,
});

/** A stored event with its payload and metadata parsed. */
export const recordedFromStored = (stored: StoredEvent): RecordedEvent => ({
  ...stored,
  data: JSON.parse(stored.data) as unknown,
  metadata: JSON.parse(stored.metadata) as Record<string, unknown>,
});

/** A parsed event as stored text (for a store whose client parses what it reads). */
export const storedFromRecorded = (event: RecordedEvent): StoredEvent => ({
  ...event,
  data: storedData(event.data),
  metadata: JSON.stringify(event.metadata),
});

export const recordedFromRow = (row: EventRow): RecordedEvent => recordedFromStored(storedFromRow(row));

export type IdempotencyRow = { scope: string; fingerprint: string; status: number; body: string };

export const idempotencyFromRow = (row: IdempotencyRow): IdempotencyRecord => ({
  scope: row.scope,
  fingerprint: row.fingerprint,
  status: row.status,
  body: JSON.parse(row.body) as unknown,
});
