import { createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditRecords } from '../audit/auditStore.js';
import { openAuditRecords } from '../audit/sqliteAuditRecords.js';
import type { Config } from '../config.js';
import type { EventStore } from '../eventStore/eventStore.js';
import { openLogReadOnly } from '../readOnlyEvents.js';

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

/** The event store, for reading only (see openLogReadOnly); a data directory with no SQLite log is refused. */
export const openEventsReadOnly = async (
  config: Config,
): Promise<{ events: EventStore; close: () => Promise<void> }> => {
  const file = join(config.dataDir, 'ledger.sqlite');
  if (config.store.kind === 'sqlite' && !existsSync(file)) throw new AuditCliRefusal(`No ledger at ${file}`, 1);
  return openLogReadOnly(config);
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
