import Database from '../../sqliteDriver.js';
import { WalCheckpointer } from '../../eventStore/walCheckpointer.js';
import type { Projection } from '../projection.js';

export type ProjectionCheckpoint = { version: number; position: number };

/**
 * The projections' tables and checkpoints in one SQLite file (`data/projections.sqlite`). Everything
 * in it is derived from the log and can be rebuilt from it, so it commits at synchronous=NORMAL: a
 * power cut may lose its last commits, never its consistency, and a projection then re-applies the
 * events after the checkpoint that survived. Rows and checkpoint always commit together.
 */
export class ProjectionDatabase {
  /** The connection that writes (the engine's): it may hold a transaction open across pages. */
  readonly db: Database.Database;
  /** The connection reads use: it sees committed rows only, never a transaction in progress. */
  readonly reader: Database.Database;
  private readonly statements;
  private readonly checkpointer: WalCheckpointer | undefined;

  /**
   * `checkpointInBackground`: copy the write-ahead log back from a thread of its own, so that no
   * commit pauses the event loop for it (the server does; tests and one-off commands need not).
   */
  constructor(
    file: string,
    { readonly = false, checkpointInBackground = false }: { readonly?: boolean; checkpointInBackground?: boolean } = {},
  ) {
    this.db = new Database(file, { readonly, fileMustExist: readonly });
    if (!readonly) {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      // Each projection applies a page in a savepoint, whose copies of the pages it changes spill to
      // a temporary file past 64 KiB: a page of attendance touches a hundred leaves, so every page
      // wrote ~0.5 MB there (19% of a rebuild's time, measured with perf at 1M events). They are
      // only for rolling a savepoint back: memory holds them (bounded by the pages one page of
      // events changes), and nothing of what commits changes.
      this.db.pragma('temp_store = MEMORY');
    }
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('cache_size = -65536');
    if (!readonly) {
      this.db.exec(`CREATE TABLE IF NOT EXISTS projection_checkpoints (
        name TEXT PRIMARY KEY, version INTEGER NOT NULL, position INTEGER NOT NULL
      ) WITHOUT ROWID;
      -- Whole-state snapshots of an earlier design; their content is rebuilt as rows.
      DROP TABLE IF EXISTS projections;`);
    }
    if (checkpointInBackground && !readonly && file !== ':memory:') {
      this.checkpointer = new WalCheckpointer(this.db, file, { synchronous: 'NORMAL' });
    }
    // An in-memory database (tests) has no second connection; everything else reads beside the writer.
    this.reader = file === ':memory:' || readonly ? this.db : new Database(file, { readonly: true });
    this.reader.pragma('cache_size = -32768');
    this.statements = {
      checkpoint: this.db.prepare<[string], ProjectionCheckpoint>(
        'SELECT version, position FROM projection_checkpoints WHERE name = ?',
      ),
      save: this.db.prepare(
        `INSERT INTO projection_checkpoints (name, version, position) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET version = excluded.version, position = excluded.position`,
      ),
    };
  }

  checkpoint(name: string): ProjectionCheckpoint | undefined {
    return this.statements.checkpoint.get(name);
  }

  saveCheckpoint(name: string, version: number, position: number): void {
    this.statements.save.run(name, version, position);
  }

  /**
   * Makes the projection's tables those of its version and answers the position it has reached: a
   * projection of another version (or none) starts from zero on freshly created tables.
   */
  install(projection: Projection): number {
    const saved = this.checkpoint(projection.name);
    if (saved?.version === projection.version) return saved.position;
    this.db.transaction(() => {
      for (const table of projection.tables) this.db.exec(`DROP TABLE IF EXISTS ${table}`);
      this.db.exec(projection.schema);
      this.saveCheckpoint(projection.name, projection.version, 0);
    })();
    return 0;
  }

  /** Drops the projection's rows and starts it again from zero (`projections rebuild`). */
  reset(projection: Projection): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM projection_checkpoints WHERE name = ?').run(projection.name);
    })();
    this.install(projection);
  }

  /** Whether the write-ahead log grew past its bound: the writer should let it be copied back. */
  walOverBound(): boolean {
    return this.checkpointer?.overBound() ?? false;
  }

  /** Between two transactions: a wait for the write-ahead log to be copied back, when it grew past its bound. */
  walSettled(): Promise<void> | undefined {
    return this.checkpointer?.settle();
  }

  async close(): Promise<void> {
    await this.checkpointer?.stop();
    if (this.reader.open) this.reader.close();
    if (this.db.open) this.db.close();
  }
}
