import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from '../../src/sqliteDriver.js';
import { afterEach, describe, expect, it } from 'vitest';
import { IdempotencyKeyUsed, StoreUnavailable, WrongExpectedVersion } from '../../src/eventStore/errors.js';
import type { AppendOptions, ExpectedRevision, NewEvent, RecordedEvent } from '../../src/eventStore/eventStore.js';
import { openEventStoreDb } from '../../src/eventStore/eventStoreDbEventStore.js';
import { IDEMPOTENCY_FILE } from '../../src/eventStore/eventStoreDbIdempotency.js';
import { eventStoreContract } from './contract.js';
import { newEvent, newEvents, rejectionOf, uniqueStream } from './contractFixtures.js';
import { EsdbWireFake, type Expected } from './esdbWireFake.js';
import { SubscriptionProbe } from './subscriptionProbe.js';

const WIRE_FAKE = 'EventStoreDB adapter against a wire fake (not EventStoreDB coverage)';

const freshDir = () => mkdtempSync(join(tmpdir(), 'ledger-esdb-fake-'));

/** The adapter on a wire fake that already holds someone else's events and a system event. */
const openOnFake = async (appendVia: 'append' | 'batchAppend' = 'batchAppend') => {
  const fake = await EsdbWireFake.start(appendVia);
  const dataDir = freshDir();
  const store = openEventStoreDb(fake.connectionString, { dataDir, pollMs: 200 });
  await store.appendToStream(`unrelated-${randomUUID()}`, newEvents(2));
  fake.writeSystemEvent();
  return {
    fake,
    store,
    dataDir,
    teardown: async () => {
      await store.close();
      fake.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
};

eventStoreContract(`${WIRE_FAKE}: EventStoreDbEventStore`, openOnFake);

describe(WIRE_FAKE, () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const open = async (appendVia: 'append' | 'batchAppend' = 'batchAppend') => {
    const opened = await openOnFake(appendVia);
    cleanups.push(opened.teardown);
    return opened;
  };
  /** Another ledger process on the same server, with data of its own unless `dataDir` is given. */
  const another = (fake: EsdbWireFake, options: { dataDir?: string; pollMs?: number } = {}) => {
    const dataDir = options.dataDir ?? freshDir();
    const store = openEventStoreDb(fake.connectionString, { dataDir, pollMs: options.pollMs });
    cleanups.push(async () => {
      await store.close();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    });
    return store;
  };

  describe.each(['batchAppend', 'append'] as const)('when the server takes appends over %s', (appendVia) => {
    const kinds: [string, ExpectedRevision, Expected, number][] = [
      ['no_stream', 'no_stream', 'no_stream', 0],
      ['any', 'any', 'any', 1],
      ['stream_exists', 'stream_exists', 'stream_exists', 1],
      ['an exact revision', 0, 0n, 1],
    ];
    it.each(kinds)('sends an append expecting %s as that option', async (_, expected, onTheWire, existing) => {
      const { fake, store } = await open(appendVia);
      const stream = uniqueStream('encoding');
      if (existing > 0) await store.appendToStream(stream, newEvents(existing));
      await store.appendToStream(stream, newEvents(1), { expectedRevision: expected });
      expect(fake.appends.at(-1)).toMatchObject({ via: appendVia, streamId: stream, expected: onTheWire });
    });

    it('sends the given event ids, JSON content type, type, data and metadata, with recordedAt under its reserved key', async () => {
      const { fake, store } = await open(appendVia);
      const stream = uniqueStream('wire');
      const events = [
        newEvent('MeetingScheduled', { title: 'Séance' }, { commandId: 'cmd-1' }),
        { ...newEvent('OutcomeRecorded', { ok: true }, {}), recordedAt: '2017-07-13T13:00:00.000Z' },
      ];
      await store.appendToStream(stream, events);
      const json = (event: NewEvent, data: string, metadata: string) => {
        return { id: event.eventId, type: event.type, contentType: 'application/json', data, metadata };
      };
      expect(fake.appends.at(-1)?.events).toEqual([
        json(events[0]!, '{"title":"Séance"}', '{"commandId":"cmd-1"}'),
        json(events[1]!, '{"ok":true}', '{"ledgerRecordedAt":"2017-07-13T13:00:00.000Z"}'),
      ]);
      const [first, second] = await store.readStream(stream);
      expect(first?.metadata).toEqual({ commandId: 'cmd-1' });
      expect(second).toMatchObject({ metadata: {}, recordedAt: '2017-07-13T13:00:00.000Z' });
    });

    it('turns the server’s wrong-expected-version answer into WrongExpectedVersion with the actual revision', async () => {
      const { store } = await open(appendVia);
      const stream = uniqueStream('conflict');
      const missing = await rejectionOf(store.appendToStream(stream, newEvents(1), { expectedRevision: 3 }));
      expect(missing).toBeInstanceOf(WrongExpectedVersion);
      expect(missing).toMatchObject({ streamId: stream, expected: 3, actual: -1 });
      await store.appendToStream(stream, newEvents(2));
      const stale = await rejectionOf(store.appendToStream(stream, newEvents(1), { expectedRevision: 'no_stream' }));
      expect(stale).toMatchObject({ streamId: stream, expected: 'no_stream', actual: 1 });
    });
  });

  it('reads a stream the server reports as not found as no events', async () => {
    const { store } = await open();
    expect(await store.readStream(uniqueStream('missing'))).toEqual([]);
    expect(await store.readStream(uniqueStream('missing'), { direction: 'backwards', maxCount: 1 })).toEqual([]);
  });

  it('never shows the server’s system events in the log, its head or a subscription', async () => {
    const { fake, store } = await open();
    const before = await store.headPosition();
    const subscription = store.subscribeToAll({ after: before });
    cleanups.push(() => subscription.unsubscribe());
    const probe = new SubscriptionProbe(subscription);
    await probe.caughtUp();
    const stream = uniqueStream('user');
    await store.appendToStream(stream, newEvents(1));
    fake.writeSystemEvent('$settings', '$settings');
    fake.writeSystemEvent('$$' + stream, '$metadata');
    await store.appendToStream(stream, newEvents(1));
    await probe.until((p) => p.events().length === 2, 'the two user events');
    const isSystem = (event: RecordedEvent) => event.type.startsWith('$') || event.streamId.startsWith('$');
    expect(probe.events().filter(isSystem)).toEqual([]);
    expect((await store.readAll({ after: before })).map((event) => event.streamId)).toEqual([stream, stream]);
    expect(await store.headPosition()).toBe(fake.log.filter((event) => !event.type.startsWith('$')).at(-1)?.position);
  });

  it('wakes a subscriber when another process appends, well before its poll', async () => {
    const { fake, store: reader } = await open();
    const writer = another(fake);
    const patient = another(fake, { pollMs: 60_000 });
    const subscription = patient.subscribeToAll({ after: await reader.headPosition() });
    cleanups.push(() => subscription.unsubscribe());
    const probe = new SubscriptionProbe(subscription);
    await probe.caughtUp();
    const stream = uniqueStream('elsewhere');
    await writer.appendToStream(stream, newEvents(2));
    await probe.until((p) => p.events().length === 2, 'two events appended by another process', 5_000);
    expect(probe.events().map((event) => event.streamId)).toEqual([stream, stream]);
  });

  describe('when the server goes away', () => {
    it('answers appends and reads with StoreUnavailable, and works again once a server is back on the port', async () => {
      const { fake, store } = await open();
      const stream = uniqueStream('outage');
      await store.appendToStream(stream, newEvents(1));
      fake.stop();
      expect(await rejectionOf(store.appendToStream(stream, newEvents(1)))).toBeInstanceOf(StoreUnavailable);
      expect(await rejectionOf(store.readStream(stream))).toBeInstanceOf(StoreUnavailable);
      expect(await rejectionOf(store.readAll())).toBeInstanceOf(StoreUnavailable);
      expect(await rejectionOf(store.ping())).toBeInstanceOf(StoreUnavailable);

      await fake.restart();
      await store.ping();
      await store.appendToStream(stream, newEvents(1), { expectedRevision: 0 });
      expect((await store.readStream(stream)).map((event) => event.revision)).toEqual([0, 1]);
    });

    it('keeps a subscription through the outage: it delivers what was appended once the server is back', async () => {
      const { fake, store } = await open();
      const subscription = store.subscribeToAll({ after: await store.headPosition() });
      cleanups.push(() => subscription.unsubscribe());
      const probe = new SubscriptionProbe(subscription);
      await probe.caughtUp();
      fake.stop();
      await fake.restart();
      const writer = another(fake);
      const stream = uniqueStream('after-outage');
      await writer.appendToStream(stream, newEvents(2));
      await probe.until((p) => p.events().length === 2, 'the events appended after the outage', 5_000);
      expect(probe.events().map((event) => event.streamId)).toEqual([stream, stream]);
    });

    it('lets an append under way finish when it is closed', async () => {
      const { store } = await open();
      const stream = uniqueStream('closing');
      const pending = store.appendToStream(stream, newEvents(2));
      await store.close();
      expect(await pending).toMatchObject({ nextExpectedRevision: 1 });
    });

    it('refuses every call with StoreUnavailable once closed', async () => {
      const { store } = await open();
      await store.close();
      for (const call of [
        store.appendToStream(uniqueStream('late'), newEvents(1)),
        store.readAll(),
        store.headPosition(),
        store.ping(),
        store.findIdempotencyRecord('caller:key'),
      ]) {
        expect(await rejectionOf(call)).toBeInstanceOf(StoreUnavailable);
      }
    });
  });

  describe('idempotency records beside the instance', () => {
    const idempotently = (scope: string): AppendOptions => ({
      idempotency: { scope, fingerprint: 'sha256:f', respond: (result) => ({ status: 201, body: result }) },
    });
    const stateOf = (dataDir: string, scope: string): unknown => {
      const db = new Database(join(dataDir, IDEMPOTENCY_FILE), { readonly: true });
      try {
        return db.prepare<[string], { state: string }>('SELECT state FROM idempotency WHERE scope = ?').get(scope)
          ?.state;
      } finally {
        db.close();
      }
    };

    it('stores the record of an append of zero events without writing to the server', async () => {
      const { fake, store } = await open();
      const sent = fake.appends.length;
      const result = await store.appendToStream(uniqueStream('refusal'), [], idempotently('caller:refusal'));
      expect(result).toEqual({ nextExpectedRevision: -1, position: 0 });
      expect(await store.findIdempotencyRecord('caller:refusal')).toMatchObject({ status: 201, body: result });
      expect(fake.appends.length).toBe(sent);
    });

    it('keeps the key pending when the server was unreachable, then frees it since nothing was appended', async () => {
      const { fake, store, dataDir } = await open();
      fake.stop();
      const stream = uniqueStream('unreachable');
      const outcome = await rejectionOf(store.appendToStream(stream, newEvents(1), idempotently('caller:unreachable')));
      expect(outcome).toBeInstanceOf(StoreUnavailable);
      expect(stateOf(dataDir, 'caller:unreachable')).toBe('pending');
      await fake.restart();
      expect(await store.findIdempotencyRecord('caller:unreachable')).toBeUndefined();
      expect(stateOf(dataDir, 'caller:unreachable')).toBeUndefined();
      await store.appendToStream(stream, newEvents(1), idempotently('caller:unreachable'));
      expect(await store.findIdempotencyRecord('caller:unreachable')).toMatchObject({ status: 201 });
    });

    it.each(['batchAppend', 'append'] as const)(
      'settles a key whose acknowledgement over %s was lost as applied, after a restart, and never applies it again',
      async (appendVia) => {
        const { fake, store, dataDir } = await open(appendVia);
        const stream = uniqueStream('lost-ack');
        const events = newEvents(2);
        fake.loseNextAck = true;
        const outcome = await rejectionOf(store.appendToStream(stream, events, idempotently('caller:lost-ack')));
        expect(outcome).toBeInstanceOf(StoreUnavailable);
        expect(stateOf(dataDir, 'caller:lost-ack')).toBe('pending');
        await store.close();

        const restarted = another(fake, { dataDir });
        const sent = fake.appends.length;
        const retried = await rejectionOf(restarted.appendToStream(stream, events, idempotently('caller:lost-ack')));
        expect(retried).toBeInstanceOf(IdempotencyKeyUsed);
        const [, last] = await restarted.readStream(stream);
        const eventIds = events.map((event) => event.eventId);
        const recovered = { recovered: true, streamId: stream, revision: 1, position: last?.position, eventIds };
        expect((retried as IdempotencyKeyUsed).record).toStrictEqual({
          scope: 'caller:lost-ack',
          fingerprint: 'sha256:f',
          status: 200,
          body: recovered,
        });
        expect(await restarted.findIdempotencyRecord('caller:lost-ack')).toStrictEqual(
          (retried as IdempotencyKeyUsed).record,
        );
        expect(fake.appends.length).toBe(sent);
        expect(await restarted.readStream(stream)).toHaveLength(2);
      },
    );
  });
});
