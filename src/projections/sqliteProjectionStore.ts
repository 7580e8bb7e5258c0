import Database from 'better-sqlite3';
import type { ProjectionSnapshot, ProjectionStore } from './projectionStore.js';

/**
 * Projection snapshots in their own SQLite file beside the ledger, so that saving a large state never
 * holds the write lock the event appends need.
 */
export class SqliteProjectionStore implements ProjectionStore {
  private readonly db: Database.Database;
  private readonly statements;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`CREATE TABLE IF NOT EXISTS projections (
      name     TEXT PRIMARY KEY,
      version  INTEGER NOT NULL,
      position INTEGER NOT NULL,
      state    TEXT    NOT NULL
    ) WITHOUT ROWID`);
    this.statements = {
      load: this.db.prepare<[string], { name: string; version: number; position: number; state: string }>(
        'SELECT name, version, position, state FROM projections WHERE name = ?',
      ),
      save: this.db.prepare(
        `INSERT INTO projections (name, version, position, state) VALUES (@name, @version, @position, @state)
         ON CONFLICT (name) DO UPDATE SET version = excluded.version, position = excluded.position, state = excluded.state`,
      ),
    };
  }

  async load(name: string): Promise<ProjectionSnapshot | undefined> {
    const row = this.statements.load.get(name);
    return row && { name: row.name, version: row.version, position: row.position, stateJson: row.state };
  }

  async save(snapshot: ProjectionSnapshot): Promise<void> {
    const { name, version, position, stateJson } = snapshot;
    this.statements.save.run({ name, version, position, state: stateJson });
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
