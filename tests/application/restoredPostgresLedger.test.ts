import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { closeLedger, openLedger, type Ledger } from '../../src/main.js';
import {
  describePostgres,
  dropSchema,
  openTestStore,
  rawClient,
  TEST_DATABASE_URL,
  uniqueSchema,
} from '../eventStore/postgresTestDatabase.js';
import { appendAll, waitUntil } from '../projections/ledgerFiles.js';
import {
  appendedAfter,
  appendThenClose,
  capturedLogger,
  catchUpAndClose,
  expectDerivedFromTheLogAsItIs,
  expectDivergenceReported,
  expectRebuiltFromTheRestoredLog,
  kept,
  lost,
} from './restoredLedger.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const configFor = () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ledger-restored-pg-'));
  const schema = uniqueSchema('restored');
  cleanups.push(async () => {
    rmSync(dataDir, { recursive: true, force: true });
    await dropSchema(schema);
  });
  return {
    schema,
    config: loadConfig({
      LEDGER_DATA_DIR: dataDir,
      LEDGER_STORE: 'postgres',
      DATABASE_URL: TEST_DATABASE_URL,
      DATABASE_SCHEMA: schema,
    }),
  };
};

/**
 * What restoring the schema from a dump taken at 62 events leaves: the tail rows gone (deleted
 * directly, the ledger's triggers bypassed as pg_restore's DROP/CREATE would), streams as they were,
 * and the identity where the dump left it, so the next append is at 63 again.
 */
const restoreTo62 = async (schema: string) => {
  const client = await rawClient(schema);
  try {
    await client.query(`
      SET session_replication_role = replica;
      DELETE FROM events WHERE position > 62;
      DELETE FROM idempotency WHERE position > 62;
      DELETE FROM streams s WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.stream_id = s.stream_id);
      UPDATE streams s SET revision = m.revision, position = m.position
        FROM (SELECT stream_id, max(revision) AS revision, max(position) AS position FROM events GROUP BY stream_id) m
        WHERE s.stream_id = m.stream_id;
      ALTER TABLE events ALTER COLUMN position RESTART WITH 63;`);
  } finally {
    await client.end();
  }
};

describePostgres('a PostgreSQL ledger whose schema was restored to an older state', () => {
  it('rebuilds its projections and audit tree at start, from the restored log and the events appended to it', async () => {
    // Given a ledger of 72 events, all derived from it
    const { schema, config } = configFor();
    await appendThenClose(config, [...kept, ...lost]);
    await catchUpAndClose(config);
    // When the schema is restored to 62 events while it is stopped, and 5 are appended to it
    await restoreTo62(schema);
    const { store } = await openTestStore(schema);
    await appendAll(store, appendedAfter(5));
    await store.close();
    // ...and the ledger starts again
    const { logger, lines } = capturedLogger();
    const ledger = await openLedger(config, { logger });
    cleanups.push(() => closeLedger(ledger));
    await expectRebuiltFromTheRestoredLog(ledger, lines, 5);
  }, 60_000);

  it('rebuilds them when its follower sees the log go back under it while it runs', async () => {
    // Given a running ledger of 72 events, all derived from it
    const { schema, config } = configFor();
    await appendThenClose(config, [...kept, ...lost]);
    const { logger, lines } = capturedLogger();
    const ledger: Ledger = await openLedger(config, { logger });
    cleanups.push(() => closeLedger(ledger));
    ledger.follower.start();
    await ledger.follower.caughtUp;
    // When the schema is restored to 62 events under it, and 5 are appended
    await restoreTo62(schema);
    await appendAll(ledger.store, appendedAfter(5));
    // Then it says so, and rebuilds everything derived from the log as it is now
    await waitUntil(() => lines.some((line) => line.level === 50), 'the divergence to be reported', 15_000);
    expectDivergenceReported(lines, 67);
    await waitUntil(
      () => ledger.projections.state('agenda').position === 67 && !ledger.audit.rebuilding,
      'the rebuild to reach the head',
      15_000,
    );
    await expectDerivedFromTheLogAsItIs(ledger, 5);
  }, 60_000);
});
