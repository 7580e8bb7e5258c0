import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from '../../src/sqliteDriver.js';
import {
  AbstractStartedContainer,
  GenericContainer,
  getContainerRuntimeClient,
  Wait,
  type StartedTestContainer,
} from 'testcontainers';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { IdempotencyKeyUsed, StoreUnavailable } from '../../src/eventStore/errors.js';
import { openEventStoreDb } from '../../src/eventStore/eventStoreDbEventStore.js';
import { IDEMPOTENCY_FILE } from '../../src/eventStore/eventStoreDbIdempotency.js';
import { eventStoreContract } from './contract.js';
import { newEvents, rejectionOf, uniqueStream } from './contractFixtures.js';

const NAME = 'EventStoreDbEventStore (real EventStoreDB)';
const IMAGE = 'docker.eventstore.com/eventstore/eventstore:24.10';

/** The official image as a single insecure in-memory node, ready once `/health/live` answers. */
class EventStoreDbContainer extends GenericContainer {
  constructor(image = IMAGE) {
    super(image);
    this.withEnvironment({
      EVENTSTORE_INSECURE: 'true',
      EVENTSTORE_MEM_DB: 'true',
      EVENTSTORE_RUN_PROJECTIONS: 'None',
      EVENTSTORE_CLUSTER_SIZE: '1',
    })
      .withExposedPorts(2113)
      .withWaitStrategy(Wait.forHttp('/health/live', 2113).forStatusCodeMatching((status) => status < 300))
      .withStartupTimeout(120_000);
  }

  override async start(): Promise<StartedEventStoreDbContainer> {
    return new StartedEventStoreDbContainer(await super.start());
  }
}

class StartedEventStoreDbContainer extends AbstractStartedContainer {
  constructor(started: StartedTestContainer) {
    super(started);
  }

  get connectionString(): string {
    return `esdb://${this.getHost()}:${this.getMappedPort(2113)}?tls=false`;
  }
}

/** Decided before any test is collected: a given server, a container runtime to start one, or neither. */
const availability = await (async (): Promise<{ source: 'environment' | 'container' } | { reason: string }> => {
  if (process.env.EVENTSTORE_CONNECTION_STRING) return { source: 'environment' };
  try {
    await getContainerRuntimeClient();
    return { source: 'container' };
  } catch (error) {
    return { reason: error instanceof Error ? error.message : String(error) };
  }
})();

const missing = 'reason' in availability ? availability.reason : undefined;
if (missing !== undefined && process.env.REQUIRE_EVENTSTORE !== '1') {
  console.warn(
    `EventStoreDB contract SKIPPED: no EVENTSTORE_CONNECTION_STRING and no container runtime (${missing}) — this run has NO EventStoreDB coverage`,
  );
}

if (missing !== undefined && process.env.REQUIRE_EVENTSTORE === '1') {
  describe(NAME, () => {
    it('has an EventStoreDB to run against, as REQUIRE_EVENTSTORE=1 demands', () => {
      throw new Error(
        `REQUIRE_EVENTSTORE=1 but there is no EVENTSTORE_CONNECTION_STRING and no container runtime (${missing})`,
      );
    });
  });
} else {
  (missing === undefined ? describe : describe.skip)('EventStoreDbEventStore against a real EventStoreDB', () => {
    let container: StartedEventStoreDbContainer | undefined;
    let connectionString = process.env.EVENTSTORE_CONNECTION_STRING ?? '';
    beforeAll(async () => {
      if (connectionString) return;
      container = await new EventStoreDbContainer().start();
      connectionString = container.connectionString;
    }, 180_000);
    afterAll(async () => {
      await container?.stop();
    });

    const cleanups: (() => Promise<void> | void)[] = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });
    const open = (pollMs = 200) => {
      const dataDir = mkdtempSync(join(tmpdir(), 'ledger-esdb-'));
      const store = openEventStoreDb(connectionString, { dataDir, pollMs });
      const teardown = async () => {
        await store.close();
        rmSync(dataDir, { recursive: true, force: true });
      };
      return { store, dataDir, teardown };
    };

    eventStoreContract(NAME, async () => {
      const { store, teardown } = open();
      // Someone else's events first: the server is shared by every test and maybe by earlier runs.
      await store.appendToStream(`unrelated-${randomUUID()}`, newEvents(3));
      return { store, teardown };
    });

    it('shows none of the server’s own `$` events or streams, reading the whole log from the start', async () => {
      const { store, teardown } = open();
      cleanups.push(teardown);
      const log = await store.readAll();
      expect(log.filter((event) => event.type.startsWith('$') || event.streamId.startsWith('$'))).toEqual([]);
    });

    it('lets the server de-duplicate a retried append that carries the same event ids', async () => {
      const { store, teardown } = open();
      cleanups.push(teardown);
      const stream = uniqueStream('retried');
      const events = newEvents(2);
      await store.appendToStream(stream, events, { expectedRevision: 'no_stream' });
      const retried = await store.appendToStream(stream, events, { expectedRevision: 'no_stream' });
      expect(retried.nextExpectedRevision).toBe(1);
      expect((await store.readStream(stream)).map((event) => event.eventId)).toEqual(events.map((e) => e.eventId));
    });

    it('settles a pending idempotency record whose events are on the server as applied', async () => {
      const { store, dataDir, teardown } = open();
      cleanups.push(teardown);
      const stream = uniqueStream('crashed');
      const events = newEvents(2);
      const result = await store.appendToStream(stream, events);
      const db = new Database(join(dataDir, IDEMPOTENCY_FILE));
      db.prepare(
        `INSERT INTO idempotency (scope, fingerprint, state, stream_id, event_ids, from_revision)
         VALUES ('caller:crashed', 'sha256:f', 'pending', ?, ?, 0)`,
      ).run(stream, JSON.stringify(events.map((event) => event.eventId)));
      db.close();
      const again = await rejectionOf(
        store.appendToStream(stream, events, {
          idempotency: { scope: 'caller:crashed', fingerprint: 'sha256:f', respond: () => ({ status: 201, body: {} }) },
        }),
      );
      expect(again).toBeInstanceOf(IdempotencyKeyUsed);
      expect((again as IdempotencyKeyUsed).record).toMatchObject({
        status: 200,
        body: { recovered: true, streamId: stream, revision: 1, position: result.position },
      });
    });

    it('answers ping while the server is up, and StoreUnavailable once closed', async () => {
      const { store, teardown } = open();
      cleanups.push(teardown);
      await store.ping();
      await store.close();
      expect(await rejectionOf(store.ping())).toBeInstanceOf(StoreUnavailable);
      expect(await rejectionOf(store.readAll())).toBeInstanceOf(StoreUnavailable);
    });
  });
}
