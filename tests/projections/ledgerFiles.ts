import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogFollower, type LogConsumer } from '../../src/application/logFollower.js';
import type { LedgerEvent } from '../../src/domain/events.js';
import type { EventStore } from '../../src/eventStore/eventStore.js';
import { SqliteEventStore, type SqliteOptions } from '../../src/eventStore/sqliteEventStore.js';
import type { Projection } from '../../src/projections/projection.js';
import { ProjectionEngine, type RunnerFailure } from '../../src/projections/projectionEngine.js';
import { ProjectionDatabase } from '../../src/projections/store/projectionDatabase.js';
import { streamOf } from './projectionSpec.js';

/**
 * A real SQLite event store, and projection databases on files in a fresh temporary folder that can
 * be reopened as a restarted process would; `remove` stops and closes everything and deletes it.
 */
export const openLedgerFiles = (options: SqliteOptions = {}) => {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-projections-'));
  const events = new SqliteEventStore(join(dir, 'ledger.db'), { synchronous: 'NORMAL', ...options });
  const opened: ProjectionDatabase[] = [];
  const followers: LogFollower[] = [];
  /** Projections on `file` (opened as a process would open them), not yet fed. */
  const openProjections = (
    file = 'projections.db',
    projections?: readonly Projection[],
    onFailure?: (name: string, failure: RunnerFailure, error: unknown) => void,
  ) => {
    const database = new ProjectionDatabase(join(dir, file));
    opened.push(database);
    return new ProjectionEngine(database, { ...(projections && { projections }), ...(onFailure && { onFailure }) });
  };
  /** Feeds `consumers` from the log, as the server does. */
  const follow = (...consumers: LogConsumer[]) => {
    const follower = new LogFollower(events, consumers, { pageSize: 4, retryMs: 10 });
    followers.push(follower);
    follower.start();
    return follower;
  };
  /** Stops feeding and closes the projection databases: what a process that stops does. */
  const stopAll = async () => {
    for (const follower of followers.splice(0)) await follower.stop();
    for (const database of opened.splice(0)) await database.close();
  };
  return {
    dir,
    events,
    openProjections,
    follow,
    stopAll,
    /** Appends each event to its own stream, in order, and answers the position of the last one. */
    append: (ledgerEvents: readonly LedgerEvent[]) => appendAll(events, ledgerEvents),
    remove: async () => {
      await stopAll();
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
