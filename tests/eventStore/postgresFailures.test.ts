import { afterAll, afterEach, expect, it } from 'vitest';
import { StoreUnavailable } from '../../src/eventStore/errors.js';
import { openPostgres } from '../../src/eventStore/postgresDatabase.js';
import { PostgresEventStore, type PostgresStoreOptions } from '../../src/eventStore/postgresEventStore.js';
import { TcpProxy } from '../e2e/tcpProxy.js';
import { newEvents, rejectionOf, uniqueStream } from './contractFixtures.js';
import {
  describePostgres,
  dropSchema,
  openTestStore,
  rawClient,
  TEST_DATABASE_URL,
  uniqueSchema,
} from './postgresTestDatabase.js';
import { SubscriptionProbe } from './subscriptionProbe.js';

const schemas: string[] = [];
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(async () => {
  for (const schema of schemas) await dropSchema(schema);
});
const freshSchema = (label: string) => {
  const schema = uniqueSchema(label);
  schemas.push(schema);
  return schema;
};

/** A gate a test opens by hand: `beforeCommit` waits on it, so a transaction stays open meanwhile. */
const gate = () => {
  let open!: () => void;
  let reached!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const arrived = new Promise<void>((resolve) => (reached = resolve));
  return { open, arrived, hold: async () => (reached(), opened) };
};

/** A store whose connections go through a proxy the test can cut. */
const openBehindProxy = async (schema: string, options: PostgresStoreOptions = {}) => {
  const database = new URL(TEST_DATABASE_URL);
  const proxy = await new TcpProxy({ host: database.hostname, port: Number(database.port || 5432) }).start();
  const viaProxy = new URL(TEST_DATABASE_URL);
  viaProxy.port = String(proxy.port);
  const opened = await openPostgres({ connectionString: viaProxy.toString(), schema });
  const store = new PostgresEventStore(opened, options);
  await store.start();
  cleanups.push(
    () => proxy.stop(),
    () => store.close(),
  );
  return { store, proxy };
};

describePostgres('PostgreSQL failing mid-append', () => {
  it('survives the network dropping while a transaction is open, records nothing half, and works again', async () => {
    // Given an append held open inside its transaction
    const schema = freshSchema('cut');
    const held = gate();
    const stream = uniqueStream('cut');
    const { store, proxy } = await openBehindProxy(schema, {
      beforeCommit: async (streamIds) => (streamIds.includes(stream) ? held.hold() : undefined),
    });
    const append = rejectionOf(store.appendToStream(stream, newEvents(2)));
    await held.arrived;
    // When the network drops under it, and comes back before the ledger asks again
    await proxy.cut();
    await proxy.restore();
    held.open();
    // Then the append fails as unavailable (the process is still here), and nothing of it was recorded
    const error = await append;
    expect(error).toBeInstanceOf(StoreUnavailable);
    expect((error as Error).message).toMatch(/nothing was recorded/);
    expect(await store.readStream(stream)).toEqual([]);
    expect((await store.appendToStream(stream, newEvents(1))).nextExpectedRevision).toBe(0);
  });

  it('says the outcome is unknown when it cannot ask the database either', async () => {
    const schema = freshSchema('unknown');
    const held = gate();
    const stream = uniqueStream('unknown');
    const { store, proxy } = await openBehindProxy(schema, {
      beforeCommit: async (streamIds) => (streamIds.includes(stream) ? held.hold() : undefined),
    });
    const append = rejectionOf(store.appendToStream(stream, newEvents(1)));
    await held.arrived;
    await proxy.cut();
    held.open();
    const error = await append;
    expect(error).toBeInstanceOf(StoreUnavailable);
    expect((error as Error).message).toMatch(/may be recorded.*Idempotency-Key/);
    await proxy.restore();
    expect(await store.readStream(stream)).toEqual([]);
  });
});

describePostgres('PostgreSQL ledgers sharing a database', () => {
  it('never make one ledger wait for another’s append lock', async () => {
    const held = gate();
    const { store: first } = await openTestStore(freshSchema('one'), { beforeCommit: held.hold });
    const { store: second } = await openTestStore(freshSchema('two'));
    cleanups.push(
      () => first.close(),
      () => second.close(),
    );
    const stuck = first.appendToStream(uniqueStream('held'), newEvents(1));
    await held.arrived;
    expect((await second.appendToStream(uniqueStream('free'), newEvents(1))).nextExpectedRevision).toBe(0);
    held.open();
    await stuck;
  });

  it('keeps its own schema when DATABASE_URL carries options of its own', async () => {
    const schema = freshSchema('options');
    const url = `${TEST_DATABASE_URL}?options=${encodeURIComponent('-c statement_timeout=30000')}`;
    const store = new PostgresEventStore(await openPostgres({ connectionString: url, schema }));
    cleanups.push(() => store.close());
    const stream = uniqueStream('options');
    await store.appendToStream(stream, newEvents(1));
    expect(await store.readStream(stream)).toHaveLength(1);
  });
});

describePostgres('closing a PostgreSQL store', () => {
  it('commits and answers every append accepted before close, then refuses new ones', async () => {
    const { store } = await openTestStore(freshSchema('close'));
    const streams = Array.from({ length: 30 }, (_, i) => uniqueStream(`queued-${i}`));
    const pending = streams.map((stream) => store.appendToStream(stream, newEvents(2)));
    await store.close();
    expect((await Promise.all(pending)).map((r) => r.nextExpectedRevision)).toEqual(streams.map(() => 1));
    expect(await rejectionOf(store.appendToStream(uniqueStream('late'), newEvents(1)))).toBeInstanceOf(
      StoreUnavailable,
    );
  });

  it('ends its subscriptions instead of waiting for it to come back', async () => {
    const { store } = await openTestStore(freshSchema('ends'));
    const subscription = store.subscribeToAll();
    const probe = new SubscriptionProbe(subscription);
    await probe.caughtUp();
    await store.close();
    const iterator = subscription[Symbol.asyncIterator]();
    await expect(iterator.next()).resolves.toMatchObject({ done: true });
  });
});

describePostgres('a runtime role without DDL privileges', () => {
  it('starts on a schema migrated by another role, and appends and reads', async () => {
    const schema = freshSchema('restricted');
    const { store: owner } = await openTestStore(schema);
    await owner.close();
    const role = `ledger_runtime_${schema.slice(-12)}`;
    const admin = await rawClient(schema);
    cleanups.push(async () => {
      await admin.query(`DROP OWNED BY ${role}`);
      await admin.query(`DROP ROLE ${role}`);
      await admin.end();
    });
    await admin.query(`CREATE ROLE ${role} LOGIN`);
    await admin.query(`GRANT USAGE ON SCHEMA "${schema}" TO ${role}`);
    await admin.query(`GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA "${schema}" TO ${role}`);
    await admin.query(`GRANT USAGE ON ALL SEQUENCES IN SCHEMA "${schema}" TO ${role}`);
    const url = new URL(TEST_DATABASE_URL);
    url.username = role;
    const store = new PostgresEventStore(await openPostgres({ connectionString: url.toString(), schema }));
    cleanups.push(() => store.close());
    const stream = uniqueStream('restricted');
    await store.appendToStream(stream, newEvents(2));
    expect(await store.readStream(stream)).toHaveLength(2);
  });
});
