import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { StoredCheckpoint } from '../../src/audit/auditStore.js';
import { SqliteAuditStore } from '../../src/audit/sqliteAuditStore.js';
import { checkpointsBeforeSql, openAuditRecords } from '../../src/audit/sqliteAuditRecords.js';
import Database from '../../src/sqliteDriver.js';

const dir = mkdtempSync(join(tmpdir(), 'ledger-checkpoint-list-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const kept = (treeSize: number): StoredCheckpoint => ({
  treeSize,
  position: treeSize * 2,
  rootHash: treeSize.toString(16).padStart(64, '0'),
  text: `meeting-ledger\n${treeSize}\nroot\n\n— meeting-ledger sig\n`,
  signature: 'sig',
  createdAt: new Date(Date.UTC(2017, 6, 13, 0, treeSize)).toISOString(),
});

describe('the list of kept checkpoints, newest first', () => {
  it('gives at most `limit` checkpoints below the bound, largest tree size first', () => {
    // Given checkpoints kept out of order of size
    const store = new SqliteAuditStore(join(dir, 'list.sqlite'));
    for (const size of [5, 0, 12, 3, 40, 7]) store.saveCheckpoint(kept(size));

    // When the list is read a page at a time
    const first = store.checkpointsBefore(Number.MAX_SAFE_INTEGER, 4);
    const rest = store.checkpointsBefore(first.at(-1)!.treeSize, 4);

    // Then every checkpoint comes once, as kept, largest first
    expect(first).toEqual([kept(40), kept(12), kept(7), kept(5)]);
    expect(rest).toEqual([kept(3), kept(0)]);
    expect(store.checkpointsBefore(0, 4)).toEqual([]);
    store.close();
  });

  it('reads a page as a backwards range of the primary key: no scan and no sort, whatever is kept', () => {
    // Given the audit store's schema
    const file = join(dir, 'plan.sqlite');
    new SqliteAuditStore(file).close();
    const db = new Database(file, { readonly: true });

    // When SQLite plans the page's query
    const plan = (
      db.prepare(`EXPLAIN QUERY PLAN ${checkpointsBeforeSql}`).all({ before: 100, limit: 11 }) as {
        detail: string;
      }[]
    )
      .map((row) => row.detail)
      .join('; ');
    db.close();

    // Then it seeks the tree_size key (the rowid) and reads backwards from there
    expect(plan).toMatch(/SEARCH checkpoints USING INTEGER PRIMARY KEY \(rowid<\?\)/);
    expect(plan).not.toMatch(/SCAN|TEMP B-TREE/);
  });

  it('is empty for a ledger whose audit log never ran', () => {
    // Given no audit.sqlite
    const records = openAuditRecords(join(dir, 'never-written.sqlite'));

    // When / then
    expect(records.checkpointsBefore(Number.MAX_SAFE_INTEGER, 10)).toEqual([]);
  });
});
