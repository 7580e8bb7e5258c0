import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { SqliteEventStore } from '../../src/eventStore/sqliteEventStore.js';
import { closeLedger, openLedger } from '../../src/main.js';
import { appendAll } from '../projections/ledgerFiles.js';
import {
  appendedAfter,
  appendThenClose,
  capturedLogger,
  catchUpAndClose,
  expectRebuiltFromTheRestoredLog,
  kept,
  lost,
} from './restoredLedger.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('a SQLite ledger restored from an older copy of ledger.sqlite', () => {
  // 5 more: the log ends before what was derived from it. 15 more: it reaches past it, and only the
  // audit log's last leaf, re-hashed from the log, tells that the events there are others.
  it.each([5, 15])(
    'rebuilds its projections and audit tree from the restored log and the %i events appended to it',
    async (added) => {
      // Given a ledger whose ledger.sqlite was copied aside at 62 events, then grew to 72, all derived from it
      const dataDir = mkdtempSync(join(tmpdir(), 'ledger-restored-'));
      dirs.push(dataDir);
      const config = loadConfig({ LEDGER_DATA_DIR: dataDir, LEDGER_SQLITE_SYNCHRONOUS: 'NORMAL' });
      await appendThenClose(config, kept);
      copyFileSync(join(dataDir, 'ledger.sqlite'), join(dataDir, 'backup.sqlite'));
      await appendThenClose(config, lost);
      await catchUpAndClose(config);
      // When only ledger.sqlite is restored from the copy, and events are appended to it
      copyFileSync(join(dataDir, 'backup.sqlite'), join(dataDir, 'ledger.sqlite'));
      const restored = new SqliteEventStore(join(dataDir, 'ledger.sqlite'));
      await appendAll(restored, appendedAfter(added));
      await restored.close();
      // ...and the ledger starts again
      const { logger, lines } = capturedLogger();
      const ledger = await openLedger(config, { logger });
      try {
        await expectRebuiltFromTheRestoredLog(ledger, lines, added);
      } finally {
        await closeLedger(ledger);
      }
    },
    60_000,
  );
});
