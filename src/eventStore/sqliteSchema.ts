import type { Database } from 'better-sqlite3';

// Versioned migrations, applied in order inside one transaction each; `user_version` records the last.
const migrations: string[] = [
  `
  CREATE TABLE events (
    position    INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id    TEXT    NOT NULL UNIQUE,
    stream_id   TEXT    NOT NULL,
    revision    INTEGER NOT NULL,
    type        TEXT    NOT NULL,
    data        TEXT    NOT NULL,
    metadata    TEXT    NOT NULL,
    recorded_at TEXT    NOT NULL,
    UNIQUE (stream_id, revision)
  );
  CREATE TABLE streams (
    stream_id TEXT PRIMARY KEY,
    revision  INTEGER NOT NULL,
    position  INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE idempotency (
    scope       TEXT PRIMARY KEY,
    fingerprint TEXT    NOT NULL,
    status      INTEGER NOT NULL,
    body        TEXT    NOT NULL,
    stream_id   TEXT    NOT NULL,
    position    INTEGER NOT NULL
  ) WITHOUT ROWID;
  -- The ledger only ever appends: the database itself refuses to rewrite history.
  CREATE TRIGGER events_are_immutable BEFORE UPDATE ON events
    BEGIN SELECT RAISE(ABORT, 'events are immutable'); END;
  CREATE TRIGGER events_are_never_deleted BEFORE DELETE ON events
    BEGIN SELECT RAISE(ABORT, 'events are never deleted'); END;
  `,
  // Time travel by recorded time (asOf=<instant>).
  `CREATE INDEX events_by_recorded_at ON events (recorded_at, position);`,
];

/** Brings the schema up to date; safe when two processes open the same file at once. */
export const migrate = (db: Database): void => {
  const applyNext = db.transaction((): boolean => {
    // Read the version inside the write lock, so a concurrent process never applies a step twice.
    const version = db.pragma('user_version', { simple: true }) as number;
    const sql = migrations[version];
    if (sql === undefined) return false;
    db.exec(sql);
    db.pragma(`user_version = ${version + 1}`);
    return true;
  });
  while (applyNext.immediate()) {
    // one migration per transaction
  }
};
