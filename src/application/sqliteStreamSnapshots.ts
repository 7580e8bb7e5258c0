import Database from '../sqliteDriver.js';
import type { StreamSnapshot, StreamSnapshotStore } from './streamSnapshots.js';

type Row = { stream_id: string; revision: number; last_hash: string; version: number; state: string };

/**
 * Stream snapshots in a SQLite file of their own (data/stream-snapshots.sqlite), also beside a
 * PostgreSQL or EventStoreDB ledger: they are derived, per process. synchronous = NORMAL, since
 * losing the last snapshot to a power cut only costs a longer fold; the file may be deleted.
 */
export class SqliteStreamSnapshots implements StreamSnapshotStore {
  private readonly db: Database.Database;
  private readonly statements;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`CREATE TABLE IF NOT EXISTS stream_snapshots (
      stream_id TEXT PRIMARY KEY,
      revision  INTEGER NOT NULL,
      last_hash TEXT    NOT NULL,
      version   INTEGER NOT NULL,
      state     TEXT    NOT NULL
    )`);
    this.statements = {
      load: this.db.prepare<[string], Row>(
        'SELECT stream_id, revision, last_hash, version, state FROM stream_snapshots WHERE stream_id = ?',
      ),
      save: this.db.prepare<[Row]>(
        `INSERT INTO stream_snapshots (stream_id, revision, last_hash, version, state)
         VALUES (@stream_id, @revision, @last_hash, @version, @state)
         ON CONFLICT (stream_id) DO UPDATE SET revision = excluded.revision, last_hash = excluded.last_hash,
           version = excluded.version, state = excluded.state`,
      ),
    };
  }

  async load(streamId: string): Promise<StreamSnapshot | undefined> {
    const row = this.statements.load.get(streamId);
    return (
      row && {
        streamId: row.stream_id,
        revision: row.revision,
        lastHash: row.last_hash,
        version: row.version,
        stateJson: row.state,
      }
    );
  }

  async save(snapshot: StreamSnapshot): Promise<void> {
    const { streamId, revision, lastHash, version, stateJson } = snapshot;
    this.statements.save.run({ stream_id: streamId, revision, last_hash: lastHash, version, state: stateJson });
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
