import Database from '../sqliteDriver.js';
import type { RecordedLeaf } from './eventCheck.js';
import { HASH_BYTES } from './merkle.js';

type PageRow = { positions: string | null; indexes: string | null; hashes: string | null };

/**
 * The leaves recorded for a range of log positions (up to the verification's snapshot), read by a
 * verification worker on its own read-only connection to data/audit.sqlite: for EventCheck's
 * shortcut, and to compare each recomputed leaf with, so that the coordinator need not read the
 * records again (it compares, as before, every leaf a worker found no match for). Reads use the
 * index of leaves by position; an audit store older than that index gives none.
 */
export class RecordedLeafHints {
  private readonly db: Database.Database;
  private readonly range;
  private positions: number[] = [];
  private indexes: number[] = [];
  private hashes = Buffer.alloc(0);
  private next = 0;

  private constructor(
    file: string,
    private readonly lastLeafIndex: number,
  ) {
    this.db = new Database(file, { readonly: true, fileMustExist: true });
    this.db.pragma('busy_timeout = 5000');
    // Aggregated in SQLite, as SqliteAuditRecords reads pages: a Buffer per leaf costs more than the leaf.
    this.range = this.db.prepare<[number, number, number, number], PageRow>(
      `SELECT group_concat(position, ',') AS positions, group_concat(leaf_index, ',') AS indexes,
              group_concat(hex(leaf_hash), '') AS hashes
       FROM (SELECT position, leaf_index, leaf_hash FROM leaves
             WHERE position > ? AND position <= ? AND leaf_index <= ? ORDER BY position LIMIT ?)`,
    );
  }

  /** Hints from `file`, or none when it cannot give them (no such file, no index by position). */
  static open(file: string | undefined, lastLeafIndex: number): RecordedLeafHints | undefined {
    if (file === undefined) return undefined;
    try {
      const hints = new RecordedLeafHints(file, lastLeafIndex);
      const indexed = hints.db
        .prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'leaves_by_position'")
        .get();
      if (indexed) return hints;
      hints.close();
    } catch {
      // no audit records to hint with: every event is canonicalised
    }
    return undefined;
  }

  /** Loads the leaves recorded for positions in (after, upTo], at most `limit`, for `at` to find. */
  load(after: number, upTo: number, limit: number): void {
    const row = this.range.get(after, upTo, this.lastLeafIndex, limit);
    this.positions = row?.positions ? row.positions.split(',').map(Number) : [];
    this.indexes = row?.indexes ? row.indexes.split(',').map(Number) : [];
    this.hashes = row?.hashes ? Buffer.from(row.hashes, 'hex') : Buffer.alloc(0);
    this.next = 0;
  }

  /** The leaf loaded for `position`, if any; positions are asked in increasing order. */
  at(position: number): RecordedLeaf | undefined {
    while (this.next < this.positions.length && this.positions[this.next]! < position) this.next += 1;
    if (this.positions[this.next] !== position) return undefined;
    return { hashes: this.hashes, offset: this.next * HASH_BYTES, index: this.indexes[this.next]! };
  }

  close(): void {
    this.db.close();
  }
}
