import type { Database } from 'better-sqlite3';
import { STORED_HEIGHT } from './auditStore.js';
import { Frontier } from './frontier.js';

// Versioned steps, each in one transaction; `user_version` records the last applied. A file from
// before versioning has user_version 0 and the first step's tables, which it then keeps.
const steps: ((db: Database) => void)[] = [
  (db) =>
    db.exec(`
      CREATE TABLE IF NOT EXISTS leaves (leaf_index INTEGER PRIMARY KEY, position INTEGER NOT NULL, leaf_hash BLOB NOT NULL);
      CREATE TABLE IF NOT EXISTS checkpoints (
        tree_size INTEGER PRIMARY KEY, position INTEGER NOT NULL, root_hash TEXT NOT NULL,
        text TEXT NOT NULL, signature TEXT NOT NULL, created_at TEXT NOT NULL
      );`),
  (db) => {
    db.exec(`
      CREATE UNIQUE INDEX leaves_by_position ON leaves (position);
      CREATE TABLE nodes (
        height INTEGER NOT NULL, node_index INTEGER NOT NULL, hash BLOB NOT NULL,
        PRIMARY KEY (height, node_index)
      ) WITHOUT ROWID;
      CREATE TABLE tree_state (
        id INTEGER PRIMARY KEY CHECK (id = 1), size INTEGER NOT NULL, position INTEGER NOT NULL, edge BLOB NOT NULL
      );`);
    indexRecordedLeaves(db);
  },
  // Trees set aside when the log no longer held their events (a restore): when, why, and where they are kept.
  (db) =>
    db.exec(`
      CREATE TABLE superseded (
        id INTEGER PRIMARY KEY, superseded_at TEXT NOT NULL, tree_size INTEGER NOT NULL, position INTEGER NOT NULL,
        checkpoints INTEGER NOT NULL, kept_in TEXT NOT NULL, reason TEXT NOT NULL
      );`),
];

const PAGE = 4_096;

/**
 * Builds the stored nodes and the tree's state from the leaves a file of the first schema recorded,
 * a page at a time (memory stays bounded): the leaves and checkpoints themselves are kept as they are.
 */
const indexRecordedLeaves = (db: Database): void => {
  const page = db.prepare<[number, number], [number, number, Buffer]>(
    'SELECT leaf_index, position, leaf_hash FROM leaves WHERE leaf_index >= ? ORDER BY leaf_index LIMIT ?',
  );
  page.raw(true);
  const insertNode = db.prepare('INSERT INTO nodes (height, node_index, hash) VALUES (?, ?, ?)');
  const frontier = Frontier.empty();
  let position = 0;
  for (let rows = page.all(0, PAGE); rows.length > 0; rows = page.all(frontier.size, PAGE)) {
    for (const [index, at, leafHash] of rows) {
      if (index !== frontier.size) throw new Error(`audit.sqlite has no leaf ${frontier.size} but has leaf ${index}`);
      frontier.append(leafHash, (node) => {
        if (node.height >= STORED_HEIGHT) insertNode.run(node.height, node.index, node.hash);
      });
      position = at;
    }
  }
  db.prepare('INSERT INTO tree_state (id, size, position, edge) VALUES (1, ?, ?, ?)').run(
    frontier.size,
    position,
    Buffer.concat(frontier.edge()),
  );
};

/** Brings data/audit.sqlite up to date; safe when two processes open it at once. */
export const migrateAuditStore = (db: Database): void => {
  const applyNext = db.transaction((): boolean => {
    const version = db.pragma('user_version', { simple: true }) as number;
    const step = steps[version];
    if (step === undefined) return false;
    step(db);
    db.pragma(`user_version = ${version + 1}`);
    return true;
  });
  while (applyNext.immediate()) {
    // one step per transaction
  }
};
