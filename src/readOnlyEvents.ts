import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from './config.js';
import type { EventStore } from './eventStore/eventStore.js';
import { SqliteEventStore } from './eventStore/sqliteEventStore.js';

/**
 * The configured event store opened for reading only, beside whatever writes it (a running server,
 * or nothing): nothing is migrated or created (PostgreSQL: a schema already up to date is opened
 * without DDL). What the server's catch-up worker and the read-only CLI commands read the log with.
 */
export const openLogReadOnly = async (config: Config): Promise<{ events: EventStore; close: () => Promise<void> }> => {
  switch (config.store.kind) {
    case 'sqlite': {
      const events = new SqliteEventStore(join(config.dataDir, 'ledger.sqlite'), { readOnly: true });
      return { events, close: () => events.close() };
    }
    case 'postgres': {
      // Imported here, as in main.ts: a command on SQLite does not load pg or gRPC.
      const [{ openPostgres }, { PostgresEventStore }] = await Promise.all([
        import('./eventStore/postgresDatabase.js'),
        import('./eventStore/postgresEventStore.js'),
      ]);
      const database = await openPostgres({ connectionString: config.store.url, schema: config.store.schema });
      const events = new PostgresEventStore(database); // not started: no LISTEN connection
      return { events, close: () => events.close() };
    }
    case 'eventstoredb': {
      // Its idempotency records are a local file the adapter opens at once: give it a scratch folder,
      // so that reading the log writes nothing in the data directory.
      const { openEventStoreDb } = await import('./eventStore/eventStoreDbEventStore.js');
      const scratch = mkdtempSync(join(tmpdir(), 'ledger-read-'));
      const events = openEventStoreDb(config.store.connectionString, { dataDir: scratch });
      return { events, close: () => events.close().finally(() => rmSync(scratch, { recursive: true, force: true })) };
    }
  }
};
