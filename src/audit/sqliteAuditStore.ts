import { chmodSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { migrateAuditStore } from './auditSchema.js';
import {
  AuditStateMoved,
  STORED_HEIGHT,
  type AuditStore,
  type RecordedLeaf,
  type StoredCheckpoint,
  type SupersededTree,
  type TreeState,
} from './auditStore.js';
import type { CompletedNode } from './frontier.js';
import { HASH_BYTES } from './merkle.js';
import { SqliteAuditRecords } from './sqliteAuditRecords.js';

const splitEdge = (edge: Buffer): Buffer[] =>
  Array.from({ length: edge.length / HASH_BYTES }, (_, i) => edge.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES));

/**
 * The audit store in its own SQLite file (data/audit.sqlite). Everything in it but the checkpoints is
 * derived from the log, so leaves commit with synchronous = NORMAL: a power cut may lose the last
 * commits, and the audit log then recomputes them from the log, since its position is committed
 * with them. A signed checkpoint is a promise to the outside and commits with an fsync (FULL).
 */
export class SqliteAuditStore extends SqliteAuditRecords implements AuditStore {
  private readonly writes;

  constructor(file: string) {
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    migrateAuditStore(db);
    super(db);
    this.writes = {
      state: db.prepare<[], { size: number; position: number; edge: Buffer }>(
        'SELECT size, position, edge FROM tree_state WHERE id = 1',
      ),
      saveState: db.prepare('UPDATE tree_state SET size = ?, position = ?, edge = ? WHERE id = 1'),
      insertLeaf: db.prepare('INSERT INTO leaves (leaf_index, position, leaf_hash) VALUES (?, ?, ?)'),
      insertNode: db.prepare('INSERT INTO nodes (height, node_index, hash) VALUES (?, ?, ?)'),
      leafIndex: db.prepare<[number], { leaf_index: number }>('SELECT leaf_index FROM leaves WHERE position = ?'),
      leafHashes: db
        .prepare<[number, number], [Buffer]>(
          'SELECT leaf_hash FROM leaves WHERE leaf_index >= ? AND leaf_index < ? ORDER BY leaf_index',
        )
        .raw(true),
      node: db.prepare<[number, number], { hash: Buffer }>(
        'SELECT hash FROM nodes WHERE height = ? AND node_index = ?',
      ),
      insertCheckpoint: db.prepare(
        `INSERT OR IGNORE INTO checkpoints (tree_size, position, root_hash, text, signature, created_at)
         VALUES (@treeSize, @position, @rootHash, @text, @signature, @createdAt)`,
      ),
    };
  }

  treeState(): TreeState {
    const row = this.writes.state.get();
    if (!row) throw new Error('audit.sqlite has no tree state');
    return { size: row.size, position: row.position, edge: splitEdge(row.edge) };
  }

  commit(
    previousSize: number,
    leaves: readonly RecordedLeaf[],
    nodes: readonly CompletedNode[],
    state: TreeState,
  ): void {
    this.db
      .transaction(() => {
        const stored = this.treeState().size;
        if (stored !== previousSize) throw new AuditStateMoved(previousSize, stored);
        for (const leaf of leaves) this.writes.insertLeaf.run(leaf.index, leaf.position, leaf.leafHash);
        for (const node of nodes) {
          if (node.height >= STORED_HEIGHT) this.writes.insertNode.run(node.height, node.index, node.hash);
        }
        this.writes.saveState.run(state.size, state.position, Buffer.concat(state.edge));
      })
      .immediate();
  }

  leafIndexOf(position: number): number | undefined {
    return this.writes.leafIndex.get(position)?.leaf_index;
  }

  leafHashes(start: number, end: number): Buffer[] {
    return this.writes.leafHashes.all(start, end).map(([hash]) => hash);
  }

  node(height: number, index: number): Buffer | undefined {
    return this.writes.node.get(height, index)?.hash;
  }

  /**
   * The tree is copied whole into a file of its own beside this one (VACUUM INTO: a consistent copy,
   * readable like any audit.sqlite), then emptied here, in one transaction with the record of it.
   */
  supersede(why: string, at: Date): SupersededTree | undefined {
    const { size: treeSize, position } = this.treeState();
    const checkpoints = (this.db.prepare('SELECT count(*) AS n FROM checkpoints').get() as { n: number }).n;
    if (treeSize === 0 && checkpoints === 0) return undefined; // nothing to keep
    const stamp = at
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z');
    const keptIn = join(
      dirname(this.db.name),
      `${basename(this.db.name, '.sqlite')}.superseded-${stamp}-tree${treeSize}-at${position}.sqlite`,
    );
    this.db.prepare('VACUUM INTO ?').run(keptIn);
    chmodSync(keptIn, 0o600);
    this.db
      .transaction(() => {
        this.db.exec('DELETE FROM leaves; DELETE FROM nodes; DELETE FROM checkpoints');
        this.writes.saveState.run(0, 0, Buffer.alloc(0));
        this.db
          .prepare(
            `INSERT INTO superseded (superseded_at, tree_size, position, checkpoints, kept_in, reason)
             VALUES (?, ?, ?, ?, ?, ?)`,
          )
          .run(at.toISOString(), treeSize, position, checkpoints, keptIn, why);
      })
      .immediate();
    return { treeSize, position, checkpoints, keptIn };
  }

  saveCheckpoint(checkpoint: StoredCheckpoint): void {
    this.db.pragma('synchronous = FULL');
    try {
      this.writes.insertCheckpoint.run(checkpoint);
    } finally {
      this.db.pragma('synchronous = NORMAL');
    }
  }
}
