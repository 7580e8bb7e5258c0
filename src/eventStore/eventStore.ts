/**
 * The event-store port. Its semantics are EventStoreDB's, so that every adapter (SQLite, PostgreSQL,
 * EventStoreDB) can honour it exactly:
 * - a stream's revisions are dense from 0; `-1` means the stream has no events;
 * - an append states what it expects of the stream (`no_stream`, `any`, `stream_exists` or an exact
 *   revision) and fails with `WrongExpectedVersion` otherwise, appending nothing;
 * - every event gets a global `position` that only grows; positions need not be dense;
 * - reading a stream that does not exist gives no events (never an error).
 */
export interface EventStore {
  /**
   * Appends `events` atomically to `streamId`. Resolves only once the events are durable. With
   * `idempotency`, the response it computes is stored in the same transaction as the events, and an
   * append whose key is already stored appends nothing and rejects with `IdempotencyKeyUsed`.
   */
  appendToStream(streamId: string, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult>;
  /**
   * Bulk loading (an import), not commands: appends `batches` in the order given, each at its
   * expected revision. Where `atomicBatches` is true (SQLite, PostgreSQL) they commit in one
   * transaction: a refused expectation, a failure, or an error thrown by the iterable appends none of
   * them; the store's writer is held meanwhile, so other appends wait. EventStoreDB has no
   * transaction across streams (`atomicBatches` false): each batch is an ordinary append, a failure
   * leaves those before it in the log, and a caller resumes by skipping what landed (the same event
   * ids at the same revision are de-duplicated by the server as well).
   */
  appendBatches(batches: AsyncIterable<StreamBatch>): Promise<BatchesAppended>;
  /** Whether `appendBatches` is all or nothing on this store. */
  readonly atomicBatches: boolean;
  /** Reads one stream, forwards from revision 0 unless told otherwise. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** Reads the whole log in position order, strictly after `after` (0 reads from the start). */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /** Catch-up subscription: every event after `after`, then live ones as they commit, until unsubscribed. */
  subscribeToAll(options?: { after?: number }): Subscription;
  /**
   * The log as stored, for readers that parse only what they use (projections, the audit log):
   * payloads stay JSON text. Same order and bounds as `readAll`.
   */
  readAllStored(options?: ReadAllOptions): Promise<StoredEvent[]>;
  /**
   * `subscribeToAll` a page at a time, as stored: every page after `after` (at most `pageSize`
   * events), one `caughtUp`, then pages as they commit. A follower applies a page in one step.
   */
  subscribeToAllStored(options?: { after?: number; pageSize?: number }): LogSubscription;
  /** The position of the last committed event, 0 when the log is empty. */
  headPosition(): Promise<number>;
  /**
   * How many events the log holds after `after`, counting no further than `atMost`: a lag in events,
   * whatever the positions are (EventStoreDB's are log offsets, PostgreSQL's may skip values a
   * rolled-back append took). Never subtract positions to count events. Reads at most `atMost` events' worth.
   */
  countEventsAfter(after: number, atMost: number): Promise<number>;
  /** The position of the last event recorded at or before `instant` (ISO 8601), 0 when none was. */
  positionAt(instant: string): Promise<number>;
  /** The stored outcome of an idempotent append, if one was committed under this scope. */
  findIdempotencyRecord(scope: string): Promise<IdempotencyRecord | undefined>;
  /** Resolves when the store answers; rejects with `StoreUnavailable` when it does not. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const NO_STREAM = 'no_stream';
export const ANY = 'any';
export const STREAM_EXISTS = 'stream_exists';
export type ExpectedRevision = typeof NO_STREAM | typeof ANY | typeof STREAM_EXISTS | number;

export type NewEvent = {
  eventId: string;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
  /** ISO instant the event was recorded; the adapter's clock when absent. */
  recordedAt?: string;
};

export type RecordedEvent = {
  eventId: string;
  streamId: string;
  revision: number;
  position: number;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
  recordedAt: string;
};

/** An event as stored: its payload and metadata as the JSON text that was written. */
export type StoredEvent = {
  eventId: string;
  streamId: string;
  revision: number;
  position: number;
  type: string;
  data: string;
  metadata: string;
  recordedAt: string;
};

/**
 * One transaction of an adapter's group commit, as it reports it to an observer (metrics): how many
 * appends and events it wrote, and how long it took from its start until the commit returned.
 */
export type CommitObserved = { appends: number; events: number; seconds: number };
export type CommitObserver = (commit: CommitObserved) => void;

export type StoredResponse = { status: number; body: unknown };

export type IdempotencyRecord = StoredResponse & { scope: string; fingerprint: string };

export type AppendOptions = {
  expectedRevision?: ExpectedRevision;
  idempotency?: {
    /** The key, already scoped to its caller. */
    scope: string;
    /** A digest of the request; the same key with another request is refused. */
    fingerprint: string;
    /** The response to keep, computed from the append's result inside its transaction. */
    respond: (result: AppendResult) => StoredResponse;
  };
};

export type AppendResult = {
  /** The stream's revision after the append (-1 if it still has no events). */
  nextExpectedRevision: number;
  /** The position of the stream's last event after the append (0 if it has none). */
  position: number;
};

/** Events for one stream, appended at an expected revision. */
export type StreamBatch = { streamId: string; events: readonly NewEvent[]; expectedRevision: ExpectedRevision };

export type BatchesAppended = {
  /** Events appended. */
  appended: number;
  /** The position of the last event appended (0 when none was). */
  position: number;
};

export type ReadStreamOptions = {
  fromRevision?: number | 'start' | 'end';
  direction?: 'forwards' | 'backwards';
  maxCount?: number;
};

export type ReadAllOptions = { after?: number; maxCount?: number };

export type SubscriptionMessage = { type: 'event'; event: RecordedEvent } | { type: 'caughtUp'; position: number };

export interface Subscription extends AsyncIterable<SubscriptionMessage> {
  unsubscribe(): Promise<void>;
}

/**
 * What a page subscription hands out: a page of events; `caughtUp` once, when the history it
 * started with has been delivered; `waiting` each time it has delivered everything there is and
 * waits for more (a follower commits what it holds then).
 */
export type LogMessage =
  | { type: 'events'; events: StoredEvent[] }
  | { type: 'caughtUp'; position: number }
  | { type: 'waiting'; position: number };

export interface LogSubscription extends AsyncIterable<LogMessage> {
  unsubscribe(): Promise<void>;
}
