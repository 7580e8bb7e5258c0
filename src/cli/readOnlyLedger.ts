import { createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditRecords } from '../audit/auditStore.js';
import { openAuditRecords } from '../audit/sqliteAuditRecords.js';
import type { Config } from '../config.js';
import type { EventStore } from '../eventStore/eventStore.js';
import { SqliteEventStore } from '../eventStore/sqliteEventStore.js';

/** The audit CLI refuses with one line and an exit code (2 for what the caller must supply). */
export class AuditCliRefusal extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
  ) {
    super(message);
  }
}

/** The ledger's stores opened for an auditor: nothing is migrated, signed, indexed or created. */
export type ReadOnlyLedger = { events: EventStore; records: AuditRecords; close: () => Promise<void> };

const signingKeyFile = (config: Config): string =>
  config.audit.signingKeyFile ?? join(config.dataDir, 'signing-key.pem');

/**
 * The public key checkpoints are checked against: from `--public-key` (PEM), else derived from the
 * ledger's signing key file, which is only read. Neither: a refusal naming both.
 */
export const readPublicKey = (config: Config, publicKeyFile: string | undefined): KeyObject => {
  const file = publicKeyFile ?? signingKeyFile(config);
  if (publicKeyFile === undefined && !existsSync(file)) {
    throw new AuditCliRefusal(`No signing key at ${file} to take the public key from: pass --public-key <file.pem>`, 2);
  }
  try {
    return createPublicKey(readFileSync(file));
  } catch (error) {
    throw new AuditCliRefusal(`Cannot read a public key from ${file}: ${(error as Error).message}`, 2);
  }
};

/** The event store, for reading only (PostgreSQL: a schema already up to date is opened without DDL). */
export const openEventsReadOnly = async (
  config: Config,
): Promise<{ events: EventStore; close: () => Promise<void> }> => {
  switch (config.store.kind) {
    case 'sqlite': {
      const file = join(config.dataDir, 'ledger.sqlite');
      if (!existsSync(file)) throw new AuditCliRefusal(`No ledger at ${file}`, 1);
      const events = new SqliteEventStore(file, { readOnly: true });
      return { events, close: () => events.close() };
    }
    case 'postgres': {
      // Imported here, as in main.ts: a command on SQLite does not load pg or gRPC.
      const [{ openPostgres }, { PostgresEventStore }] = await Promise.all([
        import('../eventStore/postgresDatabase.js'),
        import('../eventStore/postgresEventStore.js'),
      ]);
      const database = await openPostgres({ connectionString: config.store.url, schema: config.store.schema });
      const events = new PostgresEventStore(database); // not started: no LISTEN connection
      return { events, close: () => events.close() };
    }
    case 'eventstoredb': {
      // Its idempotency records are a local file the adapter opens at once: give it a scratch folder,
      // so that reading the log writes nothing in the data directory.
      const { openEventStoreDb } = await import('../eventStore/eventStoreDbEventStore.js');
      const scratch = mkdtempSync(join(tmpdir(), 'ledger-audit-'));
      const events = openEventStoreDb(config.store.connectionString, { dataDir: scratch });
      return { events, close: () => events.close().finally(() => rmSync(scratch, { recursive: true, force: true })) };
    }
  }
};

/** Opens the log and the audit records (data/audit.sqlite, if the audit log ever ran) for reading only. */
export const openReadOnlyLedger = async (config: Config): Promise<ReadOnlyLedger> => {
  const { events, close } = await openEventsReadOnly(config);
  const records = openAuditRecords(join(config.dataDir, 'audit.sqlite'));
  return {
    events,
    records,
    close: async () => {
      records.close();
      await close();
    },
  };
};
