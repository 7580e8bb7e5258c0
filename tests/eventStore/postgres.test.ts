import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { StoreUnavailable } from '../../src/eventStore/errors.js';
import { openPostgres } from '../../src/eventStore/postgresDatabase.js';
import type { CommitObserved } from '../../src/eventStore/eventStore.js';
import { PostgresEventStore } from '../../src/eventStore/postgresEventStore.js';
import { eventStoreContract } from './contract.js';
import { expectCommitsObserved, newEvents, ours, rejectionOf, uniqueStream } from './contractFixtures.js';
import { dropSchema, openTestStore, rawClient, uniqueSchema } from './postgresTestDatabase.js';
import { SubscriptionProbe } from './subscriptionProbe.js';

const contractSchema = uniqueSchema('contract');
const schemas = [contractSchema];
afterAll(async () => {
  for (const schema of schemas) await dropSchema(schema);
});

eventStoreContract('PostgresEventStore', async () => {
  const { store } = await openTestStore(contractSchema);
  // Someone else's events first, as on a shared server: the contract must not assume an empty log.
  await store.appendToStream(`unrelated-${randomUUID()}`, newEvents(3));
  return { store, teardown: () => store.close() };
});

describe('PostgresEventStore', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  const freshSchema = (label: string) => {
    const schema = uniqueSchema(label);
    schemas.push(schema);
    return schema;
  };
  const open = async (schema: string, options: Parameters<typeof openTestStore>[1] = {}) => {
    const opened = await openTestStore(schema, options);
    cleanups.push(() => opened.store.close());
    return opened;
  };

  describe('the gap problem', () => {
    it('never lets a subscriber pass an append that commits after a later one started', async () => {
      // Given an append whose transaction is held open just before COMMIT
      const schema = freshSchema('gap');
      let releaseFirst!: () => void;
      const firstHeld = new Promise<void>((resolve) => (releaseFirst = resolve));
      let firstReachedCommit!: () => void;
      const firstAtCommit = new Promise<void>((resolve) => (firstReachedCommit = resolve));
      const slow = uniqueStream('slow');
      const { store: writer } = await open(schema, {
        beforeCommit: async (streamIds) => {
          if (!streamIds.includes(slow)) return;
          firstReachedCommit();
          await firstHeld;
        },
      });
      const { store: otherProcess } = await open(schema);
      const { store: reader } = await open(schema, { pollMs: 20 });
      const subscription = reader.subscribeToAll({ after: await reader.headPosition() });
      cleanups.push(() => subscription.unsubscribe());
      const probe = new SubscriptionProbe(subscription);
      await probe.caughtUp();

      const first = writer.appendToStream(slow, newEvents(1));
      await firstAtCommit;
      // When another process appends while the first is still uncommitted
      const fast = uniqueStream('fast');
      let secondDone = false;
      const second = otherProcess.appendToStream(fast, newEvents(1)).then((result) => {
        secondDone = true;
        return result;
      });
      // (give the second append every chance to overtake: it must wait for the first to commit)
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(secondDone).toBe(false);
      expect(probe.events()).toEqual([]);
      releaseFirst();
      const [a, b] = await Promise.all([first, second]);

      // Then both commit in position order and the subscriber sees both, the first one first
      expect(b.position).toBeGreaterThan(a.position);
      await probe.until((p) => ours(p.events(), slow, fast).length === 2, 'both appends delivered', 5_000);
      expect(ours(probe.events(), slow, fast).map((e) => e.streamId)).toEqual([slow, fast]);
    });
  });

  describe('group commit', () => {
    it('commits appends that arrive together in one transaction', async () => {
      const schema = freshSchema('group');
      const committed: string[][] = [];
      const { store } = await open(schema, { beforeCommit: async (streamIds) => void committed.push(streamIds) });
      const streams = Array.from({ length: 20 }, (_, i) => uniqueStream(`together-${i}`));
      const results = await Promise.all(streams.map((stream) => store.appendToStream(stream, newEvents(2))));
      expect(committed).toEqual([streams]);
      expect(results.map((r) => r.nextExpectedRevision)).toEqual(streams.map(() => 1));
    });

    it('tells its observer of each commit: its appends and the events of those that succeeded', async () => {
      const commits: CommitObserved[] = [];
      const { store } = await open(freshSchema('observed'), { onCommit: (commit) => commits.push(commit) });
      await expectCommitsObserved(store, commits);
    });

    it('fails an append whose event id is taken alone and whole, and commits its neighbours', async () => {
      const { store } = await open(freshSchema('clash'));
      const taken = newEvents(1)[0]!;
      await store.appendToStream(uniqueStream('first'), [taken]);
      const streams = Array.from({ length: 20 }, (_, i) => uniqueStream(`neighbour-${i}`));
      const clash = uniqueStream('clash');
      const outcomes = await Promise.allSettled([
        ...streams.map((stream) => store.appendToStream(stream, newEvents(2))),
        store.appendToStream(clash, [...newEvents(1), { ...taken }]),
      ]);
      expect(outcomes.map((o) => o.status)).toEqual([...streams.map(() => 'fulfilled'), 'rejected']);
      expect(await store.readStream(clash)).toEqual([]);
      for (const stream of streams) expect(await store.readStream(stream)).toHaveLength(2);
    });
  });

  describe('immutability', () => {
    it('refuses UPDATE, DELETE and TRUNCATE on the events table at the database level', async () => {
      const schema = freshSchema('immutable');
      const { store } = await open(schema);
      await store.appendToStream(uniqueStream('immutable'), newEvents(2));
      const before = await store.readAll();
      const raw = await rawClient(schema);
      cleanups.push(() => raw.end());
      await expect(raw.query("UPDATE events SET type = 'Forged'")).rejects.toThrow(/events are immutable/);
      await expect(raw.query('DELETE FROM events WHERE revision = 0')).rejects.toThrow(/events are immutable/);
      await expect(raw.query('TRUNCATE events')).rejects.toThrow(/events are immutable/);
      expect(await store.readAll()).toEqual(before);
    });
  });

  describe('durability and migrations', () => {
    it('keeps events, positions and idempotency records across close and reopen', async () => {
      const schema = freshSchema('durable');
      const stream = uniqueStream('durable');
      const { store: first } = await openTestStore(schema);
      const result = await first.appendToStream(stream, newEvents(3), {
        idempotency: { scope: 'caller:key-1', fingerprint: 'sha256:a', respond: (r) => ({ status: 201, body: r }) },
      });
      const before = await first.readAll();
      await first.close();

      const { store: reopened } = await open(schema);
      expect(await reopened.readAll()).toEqual(before);
      expect(await reopened.headPosition()).toBe(result.position);
      expect(await reopened.findIdempotencyRecord('caller:key-1')).toEqual({
        scope: 'caller:key-1',
        fingerprint: 'sha256:a',
        status: 201,
        body: result,
      });
    });

    it('migrates a new schema from several processes starting at once, exactly once', async () => {
      const schema = freshSchema('migrate');
      const stores = await Promise.all([1, 2, 3, 4].map(() => open(schema)));
      const raw = await rawClient(schema);
      cleanups.push(() => raw.end());
      const { rows } = await raw.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
      expect(rows.map((r) => r.version)).toEqual([1, 2]);
      await stores[0]!.store.appendToStream(uniqueStream('after-migration'), newEvents(1));
      expect(await stores[3]!.store.headPosition()).toBeGreaterThan(0);
    });
  });

  describe('live subscriptions', () => {
    it('wake on another process’s commit through LISTEN/NOTIFY, not on the poll', async () => {
      const schema = freshSchema('listen');
      const { store: reader } = await open(schema, { pollMs: 60_000 });
      const { store: writer } = await open(schema);
      const subscription = reader.subscribeToAll({ after: await reader.headPosition() });
      cleanups.push(() => subscription.unsubscribe());
      const probe = new SubscriptionProbe(subscription);
      await probe.caughtUp();
      const stream = uniqueStream('live');
      await writer.appendToStream(stream, newEvents(2));
      await probe.until((p) => p.events().length === 2, 'two live events well before the poll', 5_000);
      expect(probe.events().map((e) => e.streamId)).toEqual([stream, stream]);
    });
  });

  describe('when the database cannot be reached', () => {
    it('fails to open with StoreUnavailable', async () => {
      const error = await rejectionOf(openPostgres({ connectionString: 'postgres://postgres@127.0.0.1:1/test' }));
      expect(error).toBeInstanceOf(StoreUnavailable);
    });

    it('answers appends and reads with StoreUnavailable once its connections are gone, and once closed', async () => {
      const schema = freshSchema('closed');
      const database = await openPostgres({ connectionString: 'postgres://postgres@127.0.0.1:5432/test', schema });
      const store = new PostgresEventStore(database);
      await store.close();
      expect(await rejectionOf(store.appendToStream(uniqueStream('late'), newEvents(1)))).toBeInstanceOf(
        StoreUnavailable,
      );
      expect(await rejectionOf(store.readAll())).toBeInstanceOf(StoreUnavailable);
      expect(await rejectionOf(store.ping())).toBeInstanceOf(StoreUnavailable);
    });
  });
});
