import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreUnavailable, WrongExpectedVersion } from '../../src/eventStore/errors.js';
import type { AppendOptions, AppendResult, CommitObserved, NewEvent } from '../../src/eventStore/eventStore.js';
import { SqliteEventStore, type SqliteOptions } from '../../src/eventStore/sqliteEventStore.js';
import { eventStoreContract } from './contract.js';
import {
  expectCommitsObserved,
  expectStrictlyIncreasing,
  newEvent,
  newEvents,
  range,
  rejectionOf,
  uniqueStream,
} from './contractFixtures.js';
import { SubscriptionProbe } from './subscriptionProbe.js';

const userVersion = (file: string): number => {
  const raw = new Database(file, { readonly: true });
  try {
    return raw.pragma('user_version', { simple: true }) as number;
  } finally {
    raw.close();
  }
};

const freshFile = () => {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-sqlite-'));
  return { file: join(dir, 'ledger.db'), remove: () => rmSync(dir, { recursive: true, force: true }) };
};

eventStoreContract('SqliteEventStore', async () => {
  const { file, remove } = freshFile();
  const store = new SqliteEventStore(file);
  // Someone else's events first, as on a shared server: the contract must not assume an empty log.
  await store.appendToStream(`unrelated-${randomUUID()}`, newEvents(3));
  return {
    store,
    teardown: async () => {
      await store.close();
      remove();
    },
  };
});

describe('SqliteEventStore', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** A store on a fresh temporary file, closed and removed after the test. */
  const openStore = (options: SqliteOptions = {}) => {
    const { file, remove } = freshFile();
    const store = new SqliteEventStore(file, options);
    cleanups.push(remove, () => store.close());
    return { store, file };
  };

  /** Counts group commits: the adapter reads its clock once per committed batch. */
  const countingClock = () => {
    const counter = { batches: 0, clock: () => new Date(Date.UTC(2017, 6, 13, 13, 0, counter.batches++)) };
    return counter;
  };

  describe('on an empty file', () => {
    it('has head position 0 and no events', async () => {
      const { store } = openStore();
      expect(await store.headPosition()).toBe(0);
      expect(await store.readAll()).toEqual([]);
    });

    it('reports as head exactly the position of the last appended event, and reads it all from the start', async () => {
      const { store } = openStore();
      const first = await store.appendToStream(uniqueStream('a'), newEvents(2));
      const second = await store.appendToStream(uniqueStream('b'), newEvents(3));
      expect(await store.headPosition()).toBe(second.position);
      const all = await store.readAll();
      expect(all).toHaveLength(5);
      expect(all[1]!.position).toBe(first.position);
      expect(all.at(-1)!.position).toBe(second.position);
    });

    it('subscribes from the start of the log when given no position', async () => {
      const { store } = openStore();
      const stream = uniqueStream('from-start');
      await store.appendToStream(stream, newEvents(3));
      const subscription = store.subscribeToAll();
      cleanups.push(() => subscription.unsubscribe());
      const probe = new SubscriptionProbe(subscription);
      await probe.caughtUp();
      expect(probe.events().map((e) => e.revision)).toEqual([0, 1, 2]);
    });
  });

  describe('immutability', () => {
    it('refuses UPDATE and DELETE on the events table at the database level', async () => {
      const { store, file } = openStore();
      const stream = uniqueStream('immutable');
      await store.appendToStream(stream, newEvents(2));
      const before = await store.readAll();

      const raw = new Database(file);
      cleanups.push(() => void raw.close());
      expect(() => raw.prepare("UPDATE events SET type = 'Forged'").run()).toThrow(/events are immutable/);
      expect(() => raw.prepare("UPDATE events SET data = '{}' WHERE revision = 1").run()).toThrow(
        /events are immutable/,
      );
      expect(() => raw.prepare('DELETE FROM events').run()).toThrow(/events are never deleted/);
      expect(() => raw.prepare('DELETE FROM events WHERE revision = 0').run()).toThrow(/events are never deleted/);
      expect(raw.prepare('SELECT count(*) AS n FROM events').get()).toEqual({ n: 2 });

      expect(await store.readAll()).toEqual(before);
    });
  });

  describe('a database that cannot be written', () => {
    it('refuses appends with StoreUnavailable while writes fail as read-only, keeps reading, and writes again after', async () => {
      const { store, file } = openStore();
      const stream = uniqueStream('read-only');
      await store.appendToStream(stream, newEvents(1));
      // SQLite's own read-only mode on the store's connection: every write fails with SQLITE_READONLY,
      // as on a file system remounted read-only.
      const connection = (store as unknown as { db: Database.Database }).db;
      connection.pragma('query_only = ON');
      const refused = await rejectionOf(store.appendToStream(stream, newEvents(1)));
      expect(refused).toBeInstanceOf(StoreUnavailable);
      expect(await store.readStream(stream)).toHaveLength(1);
      connection.pragma('query_only = OFF');
      expect((await store.appendToStream(stream, newEvents(1))).nextExpectedRevision).toBe(1);
      const raw = new Database(file, { readonly: true });
      cleanups.push(() => void raw.close());
      expect(raw.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' });
    });
  });

  describe('read-only', () => {
    const digest = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

    it('reads what a writer stored, refuses appends, and leaves the database file byte-identical', async () => {
      const { file, remove } = freshFile();
      cleanups.push(remove);
      const writer = new SqliteEventStore(file);
      const stream = uniqueStream('audited');
      await writer.appendToStream(stream, newEvents(3));
      const written = await writer.readAll();
      await writer.close();
      const before = { bytes: digest(file), mtime: statSync(file).mtimeMs, version: userVersion(file) };

      const reader = new SqliteEventStore(file, { readOnly: true });
      cleanups.push(() => reader.close());
      expect(reader.file).toBe(file);
      expect(await reader.readAll()).toEqual(written);
      expect(await reader.readStream(stream, { fromRevision: 1, maxCount: 1 })).toEqual([written[1]]);
      await expect(reader.appendToStream(stream, newEvents(1))).rejects.toBeInstanceOf(StoreUnavailable);
      await reader.close();
      expect({ bytes: digest(file), mtime: statSync(file).mtimeMs, version: userVersion(file) }).toEqual(before);
    });

    it('opens no file that does not exist, and creates none', () => {
      const { file, remove } = freshFile();
      cleanups.push(remove);
      expect(() => new SqliteEventStore(file, { readOnly: true })).toThrow();
      expect(existsSync(file)).toBe(false);
    });
  });

  describe('durability', () => {
    it('keeps events, revisions, positions and idempotency records across close and reopen', async () => {
      const { file, remove } = freshFile();
      cleanups.push(remove);
      const stream = uniqueStream('durable');
      const first = new SqliteEventStore(file);
      const result = await first.appendToStream(stream, newEvents(3), {
        idempotency: { scope: 'caller:key-1', fingerprint: 'sha256:a', respond: (r) => ({ status: 201, body: r }) },
      });
      const before = await first.readAll();
      await first.close();

      const reopened = new SqliteEventStore(file);
      cleanups.push(() => reopened.close());
      expect(await reopened.readAll()).toEqual(before);
      expect(await reopened.headPosition()).toBe(result.position);
      expect(await reopened.findIdempotencyRecord('caller:key-1')).toEqual({
        scope: 'caller:key-1',
        fingerprint: 'sha256:a',
        status: 201,
        body: result,
      });
      const next = await reopened.appendToStream(stream, newEvents(1), { expectedRevision: 2 });
      expect(next.nextExpectedRevision).toBe(3);
      expect(next.position).toBeGreaterThan(result.position);
    });

    it('commits the appends still queued when it is closed, and answers them', async () => {
      const { file, remove } = freshFile();
      cleanups.push(remove);
      const store = new SqliteEventStore(file);
      const streams = range(0, 5).map(() => uniqueStream('queued'));
      const pending = streams.map((stream) => store.appendToStream(stream, newEvents(2)));
      await store.close();
      const results = await Promise.all(pending);
      expect(results.map((r) => r.nextExpectedRevision)).toEqual([1, 1, 1, 1, 1]);

      const reopened = new SqliteEventStore(file);
      cleanups.push(() => reopened.close());
      for (const stream of streams) expect(await reopened.readStream(stream)).toHaveLength(2);
    });

    it('refuses appends and reads with StoreUnavailable once closed', async () => {
      const { store } = openStore();
      await store.close();
      expect(await rejectionOf(store.appendToStream(uniqueStream('late'), newEvents(1)))).toBeInstanceOf(
        StoreUnavailable,
      );
      expect(await rejectionOf(store.readAll())).toBeInstanceOf(StoreUnavailable);
      expect(await rejectionOf(store.headPosition())).toBeInstanceOf(StoreUnavailable);
      expect(await rejectionOf(store.ping())).toBeInstanceOf(StoreUnavailable);
    });
  });

  describe('group commit', () => {
    it('tells its observer of each commit: its appends and the events of those that succeeded', async () => {
      const commits: CommitObserved[] = [];
      const { store } = openStore({ onCommit: (commit) => commits.push(commit) });
      await expectCommitsObserved(store, commits);
    });

    it('answers 200 concurrent appends to distinct streams, each with its own events, in one commit', async () => {
      const counter = countingClock();
      const { store } = openStore({ clock: counter.clock });
      const calls = range(0, 200).map((i) => ({ stream: uniqueStream(`group-${i}`), events: newEvents((i % 3) + 1) }));
      const results = await Promise.all(calls.map(({ stream, events }) => store.appendToStream(stream, events)));

      expect(counter.batches).toBe(1);
      for (const [i, { stream, events }] of calls.entries()) {
        const recorded = await store.readStream(stream);
        expect(recorded.map((e) => e.eventId)).toEqual(events.map((e) => e.eventId));
        expect(recorded.map((e) => e.revision)).toEqual(range(0, events.length));
        expect(results[i]).toEqual({ nextExpectedRevision: events.length - 1, position: recorded.at(-1)!.position });
      }
      // Queued appends commit in arrival order.
      expectStrictlyIncreasing(results.map((r) => r.position));
    });

    it('lets one of 50 appends at the same expected revision win, fails the rest alone, and commits their neighbours', async () => {
      const counter = countingClock();
      const { store } = openStore({ clock: counter.clock });
      const contended = uniqueStream('contended');
      await store.appendToStream(contended, newEvents(1), { expectedRevision: 'no_stream' });

      type Call = { stream: string; events: NewEvent[]; options: AppendOptions };
      const calls: Call[] = range(0, 50).flatMap((i) => [
        { stream: contended, events: [newEvent('Contender', { i })], options: { expectedRevision: 0 } },
        { stream: uniqueStream(`neighbour-${i}`), events: newEvents(2), options: { expectedRevision: 'no_stream' } },
      ]);
      const outcomes = await Promise.allSettled(calls.map((c) => store.appendToStream(c.stream, c.events, c.options)));
      expect(counter.batches).toBe(2); // the setup, then all hundred together

      const contenders = outcomes.filter((_, i) => calls[i]!.stream === contended);
      const winners = contenders.filter((o): o is PromiseFulfilledResult<AppendResult> => o.status === 'fulfilled');
      expect(winners).toHaveLength(1);
      expect(winners[0]!.value.nextExpectedRevision).toBe(1);
      for (const loser of contenders.filter((o) => o.status === 'rejected')) {
        expect(loser.reason).toBeInstanceOf(WrongExpectedVersion);
        expect(loser.reason).toMatchObject({ streamId: contended, expected: 0, actual: 1 });
      }
      const winner = calls[outcomes.indexOf(winners[0]!)]!;
      expect((await store.readStream(contended)).map((e) => e.eventId).slice(1)).toEqual([winner.events[0]!.eventId]);

      for (const [i, call] of calls.entries()) {
        if (call.stream === contended) continue;
        expect(outcomes[i]).toMatchObject({ status: 'fulfilled', value: { nextExpectedRevision: 1 } });
        expect((await store.readStream(call.stream)).map((e) => e.eventId)).toEqual(call.events.map((e) => e.eventId));
      }
    });

    it('fails an append whose event id is already stored alone and whole, and commits its neighbours', async () => {
      const { store } = openStore();
      const taken = newEvent();
      await store.appendToStream(uniqueStream('first'), [taken]);
      const [before, clash, after] = [uniqueStream('before'), uniqueStream('clash'), uniqueStream('after')];
      const outcomes = await Promise.allSettled([
        store.appendToStream(before, newEvents(1)),
        store.appendToStream(clash, [newEvent(), { ...taken }]),
        store.appendToStream(after, newEvents(1)),
      ]);
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(await store.readStream(clash)).toEqual([]);
      expect(await store.readStream(before)).toHaveLength(1);
      expect(await store.readStream(after)).toHaveLength(1);
    });

    it('splits a queue longer than maxBatch into several commits that all land', async () => {
      const counter = countingClock();
      const { store } = openStore({ clock: counter.clock, maxBatch: 8 });
      const stream = uniqueStream('bounded');
      const results = await Promise.all(range(0, 50).map(() => store.appendToStream(stream, newEvents(1))));
      expect(counter.batches).toBe(7);
      expect(results.map((r) => r.nextExpectedRevision)).toEqual(range(0, 50));
      expect((await store.readStream(stream)).map((e) => e.revision)).toEqual(range(0, 50));
    });
  });

  describe('live subscriptions', () => {
    it('wake on commit rather than on the poll', async () => {
      const { store } = openStore({ pollMs: 60_000 });
      const subscription = store.subscribeToAll({ after: await store.headPosition() });
      cleanups.push(() => subscription.unsubscribe());
      const probe = new SubscriptionProbe(subscription);
      await probe.caughtUp();
      const stream = uniqueStream('live');
      await store.appendToStream(stream, newEvents(2));
      await probe.until((p) => p.events().length === 2, 'two live events well before the poll', 5_000);
      expect(probe.events().map((e) => e.streamId)).toEqual([stream, stream]);
    });
  });
});
