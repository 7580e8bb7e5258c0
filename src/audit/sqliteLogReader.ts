import Database from '../sqliteDriver.js';
import type { StoredEvent } from '../eventStore/eventStore.js';
import type { LookedUp } from './chainLinks.js';
import { auditableOf } from './eventDigest.js';

type Row = [
  position: number,
  eventId: string,
  streamId: string,
  revision: number,
  type: string,
  data: string,
  metadata: string,
];

const COLUMNS = 'position, event_id, stream_id, revision, type, data, metadata';

const stored = ([position, eventId, streamId, revision, type, data, metadata]: Row): StoredEvent => ({
  position,
  eventId,
  streamId,
  revision,
  type,
  data,
  metadata,
  recordedAt: '', // not hashed, not read
});

/**
 * The SQLite store's events table read directly on a read-only connection of a verification worker:
 * raw rows (arrays) cost markedly less to read than the objects the store's port builds, and a
 * worker reads a chunk of the log in a loop. It reads the columns of src/eventStore/sqliteSchema.ts.
 */
export class SqliteLogReader {
  private readonly db: Database.Database;
  private readonly range;
  private readonly byRevision;

  constructor(file: string) {
    this.db = new Database(file, { readonly: true, fileMustExist: true });
    this.db.pragma('busy_timeout = 5000');
    this.range = this.db
      .prepare<[number, number, number], Row>(
        `SELECT ${COLUMNS} FROM events WHERE position > ? AND position <= ? ORDER BY position LIMIT ?`,
      )
      .raw(true);
    this.byRevision = this.db
      .prepare<[string, number], Row>(`SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND revision = ?`)
      .raw(true);
  }

  /** Events with a position in (after, upTo], in order, at most `limit`. */
  page(after: number, upTo: number, limit: number): StoredEvent[] {
    return this.range.all(after, upTo, limit).map(stored);
  }

  /** One event of a stream by revision (the chain check's lookup). */
  readonly lookup = (streamId: string, revision: number): LookedUp | undefined => {
    const row = this.byRevision.get(streamId, revision);
    if (!row) return undefined;
    return { ...auditableOf(stored(row)), position: row[0] };
  };

  close(): void {
    this.db.close();
  }
}
