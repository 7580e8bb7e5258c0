import { existsSync } from 'node:fs';
import Database from '../sqliteDriver.js';
import type { AuditRecords, RecordedPage, StoredCheckpoint } from './auditStore.js';

type PageRow = { count: number; lastIndex: number; positions: string; hashes: string };

type CheckpointRow = {
  tree_size: number;
  position: number;
  root_hash: string;
  text: string;
  signature: string;
  created_at: string;
};

const toCheckpoint = (row: CheckpointRow): StoredCheckpoint => ({
  treeSize: row.tree_size,
  position: row.position,
  rootHash: row.root_hash,
  text: row.text,
  signature: row.signature,
  createdAt: row.created_at,
});

/**
 * A page of the kept checkpoints, newest first: tree_size is the table's rowid, so this is a range of
 * the primary key read backwards, LIMIT rows whatever the number kept (no scan, no sort).
 */
export const checkpointsBeforeSql =
  'SELECT * FROM checkpoints WHERE tree_size < @before ORDER BY tree_size DESC LIMIT @limit';

/**
 * The read side of data/audit.sqlite, on any connection. Every query uses a primary key range, so
 * it works on the first schema (leaves and checkpoints only) as on the current one.
 */
export class SqliteAuditRecords implements AuditRecords {
  private readonly reads;

  /** The file, for a verification worker's own read-only connection (none for a database in memory). */
  readonly file: string | undefined;

  constructor(protected readonly db: Database.Database) {
    this.file = db.memory ? undefined : db.name;
    this.reads = {
      lastLeaf: db.prepare<[], { last: number | null }>('SELECT max(leaf_index) AS last FROM leaves'),
      // Aggregated in SQLite: a Buffer made per leaf costs more than reading the leaf.
      page: db.prepare<[number, number, number], PageRow>(
        `SELECT count(*) AS count, max(leaf_index) AS lastIndex,
                group_concat(position, ',' ORDER BY leaf_index) AS positions,
                group_concat(hex(leaf_hash), '' ORDER BY leaf_index) AS hashes
         FROM (SELECT leaf_index, position, leaf_hash FROM leaves WHERE leaf_index > ? AND leaf_index <= ?
               ORDER BY leaf_index LIMIT ?)`,
      ),
      count: db.prepare<[number, number], { n: number }>(
        'SELECT count(*) AS n FROM leaves WHERE leaf_index > ? AND leaf_index <= ?',
      ),
      checkpoints: db.prepare<[number, number, number], CheckpointRow>(
        'SELECT * FROM checkpoints WHERE tree_size > ? AND tree_size <= ? ORDER BY tree_size LIMIT ?',
      ),
      before: db.prepare<[{ before: number; limit: number }], CheckpointRow>(checkpointsBeforeSql),
      latest: db.prepare<[], CheckpointRow>('SELECT * FROM checkpoints ORDER BY tree_size DESC LIMIT 1'),
      at: db.prepare<[number], CheckpointRow>('SELECT * FROM checkpoints WHERE tree_size = ?'),
    };
  }

  lastLeafIndex(): number {
    return this.reads.lastLeaf.get()?.last ?? -1;
  }

  recordedPage(after: number, upTo: number, limit: number): RecordedPage {
    const row = this.reads.page.get(after, upTo, limit);
    if (!row || row.count === 0) return { count: 0, lastIndex: after, positions: [], hashes: Buffer.alloc(0) };
    return {
      count: row.count,
      lastIndex: row.lastIndex,
      positions: row.positions.split(',').map(Number),
      hashes: Buffer.from(row.hashes, 'hex'),
    };
  }

  countLeaves(after: number, upTo: number): number {
    return this.reads.count.get(after, upTo)?.n ?? 0;
  }

  checkpointsAfter(after: number, upTo: number, limit: number): StoredCheckpoint[] {
    return this.reads.checkpoints.all(after, upTo, limit).map(toCheckpoint);
  }

  checkpointsBefore(before: number, limit: number): StoredCheckpoint[] {
    return this.reads.before.all({ before, limit }).map(toCheckpoint);
  }

  latestCheckpoint(): StoredCheckpoint | undefined {
    const row = this.reads.latest.get();
    return row && toCheckpoint(row);
  }

  checkpointAt(treeSize: number): StoredCheckpoint | undefined {
    const row = this.reads.at.get(treeSize);
    return row && toCheckpoint(row);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

const NOTHING_RECORDED: AuditRecords = {
  lastLeafIndex: () => -1,
  recordedPage: (after) => ({ count: 0, lastIndex: after, positions: [], hashes: Buffer.alloc(0) }),
  countLeaves: () => 0,
  checkpointsAfter: () => [],
  checkpointsBefore: () => [],
  latestCheckpoint: () => undefined,
  checkpointAt: () => undefined,
  close: () => undefined,
};

/**
 * The audit records in `file` opened for reading only: no schema change, nothing created. A ledger
 * whose audit log never ran has no such file, and then nothing was recorded to compare with.
 */
export const openAuditRecords = (file: string): AuditRecords =>
  existsSync(file)
    ? new SqliteAuditRecords(new Database(file, { readonly: true, fileMustExist: true }))
    : NOTHING_RECORDED;
