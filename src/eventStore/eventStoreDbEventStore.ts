import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  excludeSystemEvents,
  type AllStreamSubscription,
} from '@eventstore/db-client';
import { AppendSignal } from './appendSignal.js';
import { catchUpLog, eventsOf } from './catchUpSubscription.js';
import { StoreClosed, StoreUnavailable, WrongExpectedVersion } from './errors.js';
import {
  ANY,
  type AppendOptions,
  type CommitObserver,
  type AppendResult,
  type BatchesAppended,
  type EventStore,
  type ExpectedRevision,
  type IdempotencyRecord,
  type LogSubscription,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type StoredEvent,
  type StreamBatch,
  type Subscription,
} from './eventStore.js';
import { EventStoreDbIdempotency, type Applied, type AppendTarget } from './eventStoreDbIdempotency.js';
import {
  toAppendError,
  toEsdbExpectedRevision,
  toEventData,
  toPortPosition,
  toRecordedEvent,
  type AnyResolvedEvent,
} from './eventStoreDbMapping.js';
import { EventStoreDbReads } from './eventStoreDbReads.js';
import { storedFromRecorded } from './storedRows.js';
import { checkExpectedRevision } from './expectedRevision.js';

export type EventStoreDbOptions = {
  /** Where the idempotency records live (`eventstoredb-idempotency.sqlite`). */
  dataDir: string;
  /** How long a subscriber waits for a wake-up before reading anyway. */
  pollMs?: number;
  /** Told of each append the server committed (metrics): on EventStoreDB each append is its own commit. */
  onCommit?: CommitObserver;
};

/** Only `esdb://` and `esdb+discover://` connection strings parse (e.g. `esdb://127.0.0.1:2113?tls=false`). */
export const openEventStoreDb = (connectionString: string, options: EventStoreDbOptions): EventStoreDbEventStore =>
  new EventStoreDbEventStore(EventStoreDBClient.connectionString(connectionString), options);

/**
 * The event store on EventStoreDB (`@eventstore/db-client` 6.2.1, server 22.6 or later). Positions
 * are the log positions of `$all` (see `toPortPosition`); `$`-prefixed system events and streams
 * are never shown. Idempotency records live beside the instance (see `EventStoreDbIdempotency`).
 *
 * Subscriptions page through `readAll` (catchUpSubscription) rather than following the client's
 * catch-up subscription: its `caughtUp` event carries no position and only servers from 23.10 send
 * it, and a paged read gives the port's "strictly after" and the system-event filter in one place,
 * as for SQLite and PostgreSQL. One live `subscribeToAll` from the end, shared by all subscribers,
 * only wakes them when any process appends; the poll covers the moments it is down.
 *
 * The adapter keeps no connection state: the client replaces a failed channel by itself, so every
 * call after the server came back reaches it again.
 */
export class EventStoreDbEventStore implements EventStore {
  private readonly signal = new AppendSignal();
  private readonly records: EventStoreDbIdempotency;
  private readonly reads: EventStoreDbReads;
  private readonly pollMs: number;
  private wakeUp: AllStreamSubscription | undefined;
  private subscribers = 0;
  private readonly appending = new Set<Promise<void>>();
  private closed = false;

  private readonly onCommit: CommitObserver | undefined;

  constructor(
    private readonly client: EventStoreDBClient,
    options: EventStoreDbOptions,
  ) {
    this.pollMs = options.pollMs ?? 1000;
    this.onCommit = options.onCommit;
    this.reads = new EventStoreDbReads(client);
    this.records = new EventStoreDbIdempotency(options.dataDir, (target) => this.findApplied(target));
  }

  async appendToStream(
    streamId: string,
    events: readonly NewEvent[],
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    this.assertOpen();
    const expected = options.expectedRevision ?? ANY;
    const append = () =>
      events.length === 0 ? this.check(streamId, expected) : this.append(streamId, events, expected);
    if (!options.idempotency) return this.untilSettled(append());
    const target: AppendTarget = {
      streamId,
      eventIds: events.map((event) => event.eventId),
      fromRevision: typeof expected === 'number' ? expected + 1 : 0,
    };
    return this.untilSettled(this.records.appendOnce(options.idempotency, target, append));
  }

  /** No transaction spans streams on EventStoreDB: see the port. */
  readonly atomicBatches = false;

  /** Each batch in turn, as an ordinary append; a failure leaves the batches before it in the log. */
  async appendBatches(batches: AsyncIterable<StreamBatch>): Promise<BatchesAppended> {
    let loaded: BatchesAppended = { appended: 0, position: 0 };
    for await (const { streamId, events, expectedRevision } of batches) {
      const { position } = await this.appendToStream(streamId, events, { expectedRevision });
      if (events.length > 0) loaded = { appended: loaded.appended + events.length, position };
    }
    return loaded;
  }

  /** Keeps track of an append until it settles, so that closing lets it finish rather than cut it off. */
  private untilSettled<T>(work: Promise<T>): Promise<T> {
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    this.appending.add(settled);
    void settled.then(() => this.appending.delete(settled));
    return work;
  }

  private async append(
    streamId: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    const began = performance.now();
    try {
      const result = await this.client.appendToStream(streamId, events.map(toEventData), {
        expectedRevision: toEsdbExpectedRevision(expected),
      });
      this.onCommit?.({ appends: 1, events: events.length, seconds: (performance.now() - began) / 1000 });
      this.signal.notify();
      // The position EventStoreDB answers is its last event's (WriteEventsCompleted: the commit-indexed position).
      return { nextExpectedRevision: Number(result.nextExpectedRevision), position: toPortPosition(result.position) };
    } catch (error) {
      throw toAppendError(error, streamId, expected);
    }
  }

  /** An append of nothing writes nothing: it only checks the expected revision, by reading the stream's head. */
  private async check(streamId: string, expected: ExpectedRevision): Promise<AppendResult> {
    const [last] = await this.readStream(streamId, { direction: 'backwards', maxCount: 1 });
    const current: AppendResult = last
      ? { nextExpectedRevision: last.revision, position: last.position }
      : { nextExpectedRevision: -1, position: 0 };
    if (!checkExpectedRevision(expected, current.nextExpectedRevision)) {
      throw new WrongExpectedVersion(streamId, expected, current.nextExpectedRevision);
    }
    return current;
  }

  private async findApplied({ streamId, eventIds, fromRevision }: AppendTarget): Promise<Applied | undefined> {
    const last = eventIds.at(-1);
    const landed = (await this.readStream(streamId, { fromRevision })).find((event) => event.eventId === last);
    return landed && { revision: landed.revision, position: landed.position };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    return this.reads.stream(streamId, options);
  }

  async readAll({ after = 0, maxCount = Number.MAX_SAFE_INTEGER }: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    return this.reads.all(after, maxCount);
  }

  /** EventStoreDB hands events over parsed; the stored view writes their JSON text back. */
  async readAllStored(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    return (await this.readAll(options)).map(storedFromRecorded);
  }

  subscribeToAll(options: { after?: number } = {}): Subscription {
    return eventsOf(this.subscribeToAllStored(options));
  }

  subscribeToAllStored(options: { after?: number; pageSize?: number } = {}): LogSubscription {
    this.subscribers += 1;
    const readAllStored = (page: { after: number; maxCount: number }) => {
      this.followAppends();
      return this.readAllStored(page);
    };
    const source = { readAllStored, signal: this.signal, pollMs: this.pollMs };
    const inner = catchUpLog(source, options.after ?? 0, options.pageSize);
    let released = false;
    return {
      [Symbol.asyncIterator]: () => inner[Symbol.asyncIterator](),
      unsubscribe: async () => {
        if (!released) {
          released = true;
          this.subscribers -= 1;
          if (this.subscribers === 0) this.stopFollowing();
        }
        await inner.unsubscribe();
      },
    };
  }

  /** (Re)starts the shared live subscription that wakes subscribers; a failed one is replaced at the next read. */
  private followAppends(): void {
    if (this.wakeUp || this.closed || this.subscribers === 0) return;
    const live = this.client.subscribeToAll({ fromPosition: END, filter: excludeSystemEvents() });
    const forget = () => {
      if (this.wakeUp === live) this.wakeUp = undefined;
    };
    live.on('data', () => this.signal.notify());
    live.on('error', forget);
    live.on('close', forget);
    this.wakeUp = live;
  }

  private stopFollowing(): void {
    const live = this.wakeUp;
    this.wakeUp = undefined;
    void live?.unsubscribe().catch(() => undefined);
  }

  async headPosition(): Promise<number> {
    this.assertOpen();
    return (await this.reads.lastPositionWhere((resolved) => toRecordedEvent(resolved) !== undefined, 32)) ?? 0;
  }

  /** `$all` has no count: the events after `after` are read (at most `atMost`, system events left out) and counted. */
  async countEventsAfter(after: number, atMost: number): Promise<number> {
    this.assertOpen();
    return atMost <= 0 ? 0 : (await this.reads.all(after, atMost)).length;
  }

  async positionAt(instant: string): Promise<number> {
    this.assertOpen();
    const at = Date.parse(instant);
    const recordedBy = (resolved: AnyResolvedEvent) => {
      const event = toRecordedEvent(resolved);
      return event !== undefined && Date.parse(event.recordedAt) <= at;
    };
    return (await this.reads.lastPositionWhere(recordedBy)) ?? 0;
  }

  async findIdempotencyRecord(scope: string): Promise<IdempotencyRecord | undefined> {
    this.assertOpen();
    return this.records.find(scope);
  }

  /** Reads the newest record of `$all`: proves the server answers reads, not merely that a channel opened. */
  async ping(): Promise<void> {
    this.assertOpen();
    try {
      await this.reads.page(END, 1, BACKWARDS);
    } catch (error) {
      throw error instanceof StoreUnavailable ? error : new StoreUnavailable(undefined, 1, { cause: error });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopFollowing();
    await Promise.all(this.appending);
    await this.records.close();
    await this.client.dispose();
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreClosed();
  }
}
