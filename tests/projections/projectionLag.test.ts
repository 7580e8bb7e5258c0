import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LogFollower } from '../../src/application/logFollower.js';
import type { EventStore } from '../../src/eventStore/eventStore.js';
import { openEventStoreDb } from '../../src/eventStore/eventStoreDbEventStore.js';
import { ProjectionEngine } from '../../src/projections/projectionEngine.js';
import { ProjectionDatabase } from '../../src/projections/store/projectionDatabase.js';
import { EsdbWireFake } from '../eventStore/esdbWireFake.js';
import {
  describePostgres,
  dropSchema,
  openTestStore,
  rawClient,
  uniqueSchema,
} from '../eventStore/postgresTestDatabase.js';
import { closed, coalitionWeek, ids } from './coalitionEvents.js';
import { appendAll } from './ledgerFiles.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Projections caught up with the log, then left unfed: what stands behind is exactly what is appended next. */
const caughtUpProjections = async (store: EventStore): Promise<ProjectionEngine> => {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-lag-'));
  const database = new ProjectionDatabase(join(dir, 'projections.sqlite'));
  const engine = new ProjectionEngine(database);
  const follower = new LogFollower(store, [engine]);
  follower.start();
  await follower.caughtUp;
  await follower.stop();
  cleanups.push(async () => {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return engine;
};

const lagsOf = async (engine: ProjectionEngine, store: EventStore, countUpTo?: number) =>
  (await engine.report(store, new Date(), countUpTo === undefined ? {} : { countUpTo })).map((r) => ({
    lagEvents: r.lagEvents,
    ...(r.lagEventsAtLeast && { atLeast: true }),
  }));

describe('projection lag, in events on every store', () => {
  describePostgres('on PostgreSQL', () => {
    it('is one event when the next position is 437 further on', async () => {
      // Given projections caught up on PostgreSQL, and positions that then skip (a rolled-back append takes values too)
      const schema = uniqueSchema('lag');
      const { store } = await openTestStore(schema);
      cleanups.push(() => dropSchema(schema));
      cleanups.push(() => store.close());
      const head = await appendAll(store, coalitionWeek);
      const engine = await caughtUpProjections(store);
      const client = await rawClient(schema);
      await client.query(`ALTER TABLE events ALTER COLUMN position RESTART WITH ${head + 437}`);
      await client.end();
      // When one event is appended
      expect(await appendAll(store, [closed(ids.plenary)])).toBe(head + 437);
      // Then every projection is one event behind, not 437
      expect(await lagsOf(engine, store)).toEqual([{ lagEvents: 1 }, { lagEvents: 1 }, { lagEvents: 1 }]);
    });

    it('stops counting at the bound asked for, and says the lag is at least that', async () => {
      const schema = uniqueSchema('lag');
      const { store } = await openTestStore(schema);
      cleanups.push(() => dropSchema(schema));
      cleanups.push(() => store.close());
      const engine = await caughtUpProjections(store);
      await appendAll(store, coalitionWeek);
      expect(await lagsOf(engine, store, 5)).toEqual([
        { lagEvents: 5, atLeast: true },
        { lagEvents: 5, atLeast: true },
        { lagEvents: 5, atLeast: true },
      ]);
      expect(await lagsOf(engine, store)).toEqual(Array(3).fill({ lagEvents: coalitionWeek.length }));
    });
  });

  it('is one event on a store whose positions are log offsets, as EventStoreDB’s are (wire fake)', async () => {
    const fake = await EsdbWireFake.start('batchAppend');
    const dir = mkdtempSync(join(tmpdir(), 'ledger-lag-esdb-'));
    const store = openEventStoreDb(fake.connectionString, { dataDir: dir, pollMs: 200 });
    cleanups.push(async () => {
      await store.close();
      fake.stop();
      rmSync(dir, { recursive: true, force: true });
    });
    const head = await appendAll(store, coalitionWeek);
    const engine = await caughtUpProjections(store);
    const next = await appendAll(store, [closed(ids.plenary)]);
    expect(next - head).toBeGreaterThan(100);
    expect(await lagsOf(engine, store)).toEqual([{ lagEvents: 1 }, { lagEvents: 1 }, { lagEvents: 1 }]);
  });
});
