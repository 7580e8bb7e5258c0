import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LedgerEvent } from '../../src/domain/events.js';
import { eventsOf } from '../../src/eventStore/catchUpSubscription.js';
import type { EventStore, LogSubscription } from '../../src/eventStore/eventStore.js';
import { SqliteEventStore, type SqliteOptions } from '../../src/eventStore/sqliteEventStore.js';
import { SqliteProjectionStore } from '../../src/projections/sqliteProjectionStore.js';
import { streamOf } from './projectionSpec.js';

/**
 * A real SQLite event store and projection store on files in a fresh temporary folder. The snapshot
 * file can be reopened, as a restarted process would; `remove` closes everything and deletes it.
 */
export const openLedgerFiles = (options: SqliteOptions = {}) => {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-projections-'));
  const events = new SqliteEventStore(join(dir, 'ledger.db'), { synchronous: 'NORMAL', ...options });
  const opened: SqliteProjectionStore[] = [];
  const openSnapshots = (file = 'projections.db') => {
    const snapshots = new SqliteProjectionStore(join(dir, file));
    opened.push(snapshots);
    return snapshots;
  };
  return {
    events,
    openSnapshots,
    /** Appends each event to its own stream, in order, and answers the position of the last one. */
    append: (ledgerEvents: readonly LedgerEvent[]) => appendAll(events, ledgerEvents),
    remove: async () => {
      for (const snapshots of opened) await snapshots.close();
      await events.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

export const appendAll = async (store: EventStore, events: readonly LedgerEvent[]): Promise<number> => {
  // Queued in one turn of the event loop, they commit as one group, in the order given.
  const results = await Promise.all(
    events.map((event) =>
      store.appendToStream(streamOf(event), [
        { eventId: randomUUID(), type: event.type, data: event.data, metadata: { actor: 'secretariat' } },
      ]),
    ),
  );
  return results.at(-1)?.position ?? (await store.headPosition());
};

/** Polls `condition` until it holds; fails naming `what` once `timeoutMs` has passed. */
export const waitUntil = async (condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Gave up after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

/** A gate that holds subscriptions back until opened. */
export class Gate {
  private release!: () => void;
  readonly opened = new Promise<void>((resolve) => (this.release = resolve));
  open(): void {
    this.release();
  }
}

/** The same store, except that its subscriptions deliver nothing until `gate` opens. */
export const gatedSubscriptions = (store: EventStore, gate: Gate): EventStore => ({
  appendToStream: (...args) => store.appendToStream(...args),
  readStream: (...args) => store.readStream(...args),
  readAll: (...args) => store.readAll(...args),
  readAllStored: (...args) => store.readAllStored(...args),
  headPosition: () => store.headPosition(),
  positionAt: (instant) => store.positionAt(instant),
  findIdempotencyRecord: (scope) => store.findIdempotencyRecord(scope),
  ping: () => store.ping(),
  close: () => store.close(),
  subscribeToAll: (options) => eventsOf(gatedSubscriptions(store, gate).subscribeToAllStored(options)),
  subscribeToAllStored: (options): LogSubscription => {
    const inner = store.subscribeToAllStored(options);
    let cancel!: () => void;
    const cancelled = new Promise<void>((resolve) => (cancel = resolve));
    async function* held() {
      await Promise.race([gate.opened, cancelled]);
      yield* inner;
    }
    const iterator = held();
    return {
      [Symbol.asyncIterator]: () => iterator,
      unsubscribe: async () => {
        cancel();
        await inner.unsubscribe();
        await iterator.return(undefined);
      },
    };
  },
});
