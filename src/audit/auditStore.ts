import Database from 'better-sqlite3';

export type StoredCheckpoint = {
  treeSize: number;
  /** The position of the last event the checkpoint covers (0 for an empty log). */
  position: number;
  rootHash: string;
  text: string;
  signature: string;
  createdAt: string;
};

/**
 * What the auditor's side keeps beside the log: the leaf hash of every event as it was indexed, and
 * every signed checkpoint. Verification recomputes hashes from the events and compares with both.
 */
export interface AuditStore {
  leaves(): { position: number; leafHash: Buffer }[];
  appendLeaves(leaves: readonly { index: number; position: number; leafHash: Buffer }[]): void;
  saveCheckpoint(checkpoint: StoredCheckpoint): void;
  latestCheckpoint(): StoredCheckpoint | undefined;
  checkpointAt(treeSize: number): StoredCheckpoint | undefined;
  checkpoints(): StoredCheckpoint[];
  close(): void;
}

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

/** The audit store in its own SQLite file (data/audit.sqlite). */
export class SqliteAuditStore implements AuditStore {
  private readonly db: Database.Database;
  private readonly insertLeaf;
  private readonly insertCheckpoint;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS leaves (leaf_index INTEGER PRIMARY KEY, position INTEGER NOT NULL, leaf_hash BLOB NOT NULL);
      CREATE TABLE IF NOT EXISTS checkpoints (
        tree_size INTEGER PRIMARY KEY, position INTEGER NOT NULL, root_hash TEXT NOT NULL,
        text TEXT NOT NULL, signature TEXT NOT NULL, created_at TEXT NOT NULL
      );`);
    this.insertLeaf = this.db.prepare('INSERT INTO leaves (leaf_index, position, leaf_hash) VALUES (?, ?, ?)');
    this.insertCheckpoint = this.db.prepare(
      `INSERT OR IGNORE INTO checkpoints (tree_size, position, root_hash, text, signature, created_at)
       VALUES (@treeSize, @position, @rootHash, @text, @signature, @createdAt)`,
    );
  }

  leaves(): { position: number; leafHash: Buffer }[] {
    return this.db
      .prepare<[], { position: number; leaf_hash: Buffer }>(
        'SELECT position, leaf_hash FROM leaves ORDER BY leaf_index',
      )
      .all()
      .map((row) => ({ position: row.position, leafHash: row.leaf_hash }));
  }

  appendLeaves(leaves: readonly { index: number; position: number; leafHash: Buffer }[]): void {
    this.db.transaction(() => {
      for (const leaf of leaves) this.insertLeaf.run(leaf.index, leaf.position, leaf.leafHash);
    })();
  }

  saveCheckpoint(checkpoint: StoredCheckpoint): void {
    this.insertCheckpoint.run(checkpoint);
  }

  latestCheckpoint(): StoredCheckpoint | undefined {
    const row = this.db.prepare<[], CheckpointRow>('SELECT * FROM checkpoints ORDER BY tree_size DESC LIMIT 1').get();
    return row && toCheckpoint(row);
  }

  checkpointAt(treeSize: number): StoredCheckpoint | undefined {
    const row = this.db.prepare<[number], CheckpointRow>('SELECT * FROM checkpoints WHERE tree_size = ?').get(treeSize);
    return row && toCheckpoint(row);
  }

  checkpoints(): StoredCheckpoint[] {
    return this.db.prepare<[], CheckpointRow>('SELECT * FROM checkpoints ORDER BY tree_size').all().map(toCheckpoint);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
