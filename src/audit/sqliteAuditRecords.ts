import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { AuditRecords, RecordedLeaf, StoredCheckpoint } from './auditStore.js';

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
 * The read side of data/audit.sqlite, on any connection. Every query uses a primary key range, so
 * it works on the first schema (leaves and checkpoints only) as on the current one.
 */
export class SqliteAuditRecords implements AuditRecords {
  private readonly reads;

  constructor(protected readonly db: Database.Database) {
    this.reads = {
      lastLeaf: db.prepare<[], { last: number | null }>('SELECT max(leaf_index) AS last FROM leaves'),
      leaves: db.prepare<[number, number, number], [number, number, Buffer]>(
        `SELECT leaf_index, position, leaf_hash FROM leaves WHERE leaf_index > ? AND leaf_index <= ?
         ORDER BY leaf_index LIMIT ?`,
      ),
      count: db.prepare<[number, number], { n: number }>(
        'SELECT count(*) AS n FROM leaves WHERE leaf_index > ? AND leaf_index <= ?',
      ),
      checkpoints: db.prepare<[number, number, number], CheckpointRow>(
        'SELECT * FROM checkpoints WHERE tree_size > ? AND tree_size <= ? ORDER BY tree_size LIMIT ?',
      ),
      latest: db.prepare<[], CheckpointRow>('SELECT * FROM checkpoints ORDER BY tree_size DESC LIMIT 1'),
      at: db.prepare<[number], CheckpointRow>('SELECT * FROM checkpoints WHERE tree_size = ?'),
    };
    this.reads.leaves.raw(true);
  }

  lastLeafIndex(): number {
    return this.reads.lastLeaf.get()?.last ?? -1;
  }

  leavesAfter(after: number, upTo: number, limit: number): RecordedLeaf[] {
    return this.reads.leaves
      .all(after, upTo, limit)
      .map(([index, position, leafHash]) => ({ index, position, leafHash }));
  }

  countLeaves(after: number, upTo: number): number {
    return this.reads.count.get(after, upTo)?.n ?? 0;
  }

  checkpointsAfter(after: number, upTo: number, limit: number): StoredCheckpoint[] {
    return this.reads.checkpoints.all(after, upTo, limit).map(toCheckpoint);
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
  leavesAfter: () => [],
  countLeaves: () => 0,
  checkpointsAfter: () => [],
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
