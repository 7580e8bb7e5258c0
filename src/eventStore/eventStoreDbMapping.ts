import {
  ANY as ESDB_ANY,
  CancelledError,
  DeadlineExceededError,
  jsonEvent,
  NO_STREAM as ESDB_NO_STREAM,
  NotLeaderError,
  STREAM_EXISTS as ESDB_STREAM_EXISTS,
  TimeoutError,
  UnavailableError,
  WrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type EventData,
  type JSONType,
  type Position,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { StoreUnavailable, WrongExpectedVersion } from './errors.js';
import type { ExpectedRevision, NewEvent, RecordedEvent } from './eventStore.js';

/**
 * The metadata key that carries a `recordedAt` given by the caller (an import keeps the original
 * instants). Reserved: it is stripped on reading, so a RecordedEvent's metadata is exactly what was appended.
 */
export const RECORDED_AT_KEY = 'ledgerRecordedAt';

export type AnyResolvedEvent = ResolvedEvent | AllStreamResolvedEvent;

/** What EventStoreDB reports for "no position" (stream reads before 22.6). */
const NO_POSITION = 2n ** 64n - 1n;

export const toEsdbExpectedRevision = (expected: ExpectedRevision): AppendExpectedRevision => {
  switch (expected) {
    case 'any':
      return ESDB_ANY;
    case 'no_stream':
      return ESDB_NO_STREAM;
    case 'stream_exists':
      return ESDB_STREAM_EXISTS;
    default:
      return BigInt(expected);
  }
};

export const toEventData = (event: NewEvent): EventData =>
  jsonEvent({
    id: event.eventId,
    type: event.type,
    // The client serialises any JSON value; its type only admits objects, arrays and strings.
    data: event.data as JSONType,
    metadata:
      event.recordedAt === undefined ? event.metadata : { ...event.metadata, [RECORDED_AT_KEY]: event.recordedAt },
  });

/**
 * The port's position is EventStoreDB's log position as a number.
 *
 * Since 20.6, every event appended over gRPC is a committed prepare record and EventStoreDB reports
 * its `$all` position as `{ commit: p, prepare: p }`, p being the record's own offset in the log
 * (AllReader: `new TFPos(prepare.LogPosition, prepare.LogPosition)`; KurrentDB PR #2522), so the
 * events of a multi-event append get distinct positions too. Log offsets only grow, so `p` is
 * strictly increasing per event along `$all`, and `{ commit: p, prepare: p }` is exactly the
 * position to resume from. Byte offsets stay below 2^53 (8 PiB) for any real log.
 *
 * Events written by explicit transactions of the retired TCP client (commit ≠ prepare) would make
 * the mapping lossy; they are refused loudly rather than risk a skipped event. Stream reads report
 * positions since 22.6 (the client's `RecordedEvent.position` doc); older servers are refused too.
 */
export const toPortPosition = (position: Position | undefined): number => {
  if (position === undefined || position.commit === NO_POSITION) {
    throw new Error('EventStoreDB gave no log position for an event: EventStoreDB 22.6 or later is required');
  }
  if (position.commit !== position.prepare) {
    throw new Error(
      `EventStoreDB event at commit ${position.commit} / prepare ${position.prepare} was written by an explicit transaction, which this adapter does not support`,
    );
  }
  return Number(position.commit);
};

export const toEsdbPosition = (position: number): Position => ({ commit: BigInt(position), prepare: BigInt(position) });

/** `$`-prefixed event types and streams are EventStoreDB's own (statistics, settings, links, metadata). */
export const isSystemEvent = (resolved: AnyResolvedEvent): boolean => {
  const event = resolved.event;
  return event === undefined || event.type.startsWith('$') || event.streamId.startsWith('$');
};

const asMetadata = (metadata: unknown): Record<string, unknown> =>
  typeof metadata === 'object' && metadata !== null && !Array.isArray(metadata) && !(metadata instanceof Uint8Array)
    ? (metadata as Record<string, unknown>)
    : {};

/** The ledger's view of a non-system event; undefined for a system event. */
export const toRecordedEvent = (resolved: AnyResolvedEvent): RecordedEvent | undefined => {
  if (isSystemEvent(resolved) || resolved.event === undefined) return undefined;
  const { event } = resolved;
  const { [RECORDED_AT_KEY]: recordedAt, ...metadata } = asMetadata(event.metadata);
  return {
    eventId: event.id,
    streamId: event.streamId,
    revision: Number(event.revision),
    position: toPortPosition(event.position),
    type: event.type,
    data: event.data,
    metadata,
    recordedAt: typeof recordedAt === 'string' ? recordedAt : event.created.toISOString(),
  };
};

const UNAVAILABLE_TYPES = new Set(['unavailable', 'deadline-exceeded', 'cancelled', 'not-leader', 'timeout']);
// gRPC status codes: 1 CANCELLED, 4 DEADLINE_EXCEEDED, 14 UNAVAILABLE (raw errors escape the client's conversion).
const UNAVAILABLE_CODES = new Set([1, 4, 14]);

/**
 * Whether the server could not be reached or did not answer in time: the caller may retry later.
 * Appends reject with a raw gRPC error when the server is down (the client's feature probe fails
 * first), reads with the client's UnavailableError or DeadlineExceededError.
 */
export const isUnavailable = (error: unknown): boolean => {
  if (
    error instanceof UnavailableError ||
    error instanceof DeadlineExceededError ||
    error instanceof CancelledError ||
    error instanceof NotLeaderError ||
    error instanceof TimeoutError
  ) {
    return true;
  }
  const { code, type } = (error ?? {}) as { code?: unknown; type?: unknown };
  return (
    (typeof type === 'string' && UNAVAILABLE_TYPES.has(type)) ||
    (typeof code === 'number' && UNAVAILABLE_CODES.has(code))
  );
};

/** Rethrows `error` as StoreUnavailable when the server is the problem, unchanged otherwise. */
export const asStoreError = (error: unknown, detail: string): unknown =>
  error instanceof StoreUnavailable || !isUnavailable(error)
    ? error
    : new StoreUnavailable(detail, 1, { cause: error });

/** An append's failure in the port's terms; WrongExpectedVersionError has an empty message and may say 'no_stream'. */
export const toAppendError = (error: unknown, streamId: string, expected: ExpectedRevision): unknown => {
  if (error instanceof WrongExpectedVersionError) {
    const actual = error.actualVersion === 'no_stream' ? -1 : Number(error.actualVersion);
    return new WrongExpectedVersion(streamId, expected, actual);
  }
  return asStoreError(error, 'EventStoreDB could not be reached; the append may not have been recorded, retry later');
};
