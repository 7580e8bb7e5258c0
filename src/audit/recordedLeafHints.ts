import Database from '../sqliteDriver.js';
import type { RecordedLeaf } from './eventCheck.js';
import { HASH_BYTES } from './merkle.js';

type PageRow = { positions: string | null; indexes: string | null; hashes: string | null };

/** A range of leaves whose positions are their indexes shifted by one amount, read as one blob of hashes. */
type AlignedRow = {
  hashes: Buffer | null;
  count: number;
  low: number;
  high: number;
  lowShift: number;
  highShift: number;
};

/**
 * The leaves recorded for a range of log positions (up to the verification's snapshot), read by a
 * verification worker on its own read-only connection to data/audit.sqlite: for EventCheck's
 * shortcut, and to compare each recomputed leaf with, so that the coordinator need not read the
 * records again (it compares, as before, every leaf a worker found no match for).
 *
 * A log's leaves are usually its positions shifted by one amount (SQLite positions have no gaps), so
 * a range is read by leaf index with the hashes concatenated by SQLite into one blob (a Buffer or a
 * hex digit per leaf cost more than the leaf), and the aggregate says whether every row of it has
 * that one shift and no index is missing: then position p is leaf p - shift, at offset (p - shift -
 * low) * 32. Any other range (a gap in positions, or records that were tampered with) is read by
 * position as positions, indexes and hashes, leaf by leaf. Both use the index of leaves by
 * position; an audit store older than that index gives no hints.
 */
export class RecordedLeafHints {
  private readonly db: Database.Database;
  private readonly statements;
  /** SQLite hands blobs to group_concat as their bytes only in a UTF-8 database. */
  private readonly blobs: boolean;
  private aligned: { hashes: Buffer; low: number; high: number; shift: number } | undefined;
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
    this.blobs = this.db.pragma('encoding', { simple: true }) === 'UTF-8';
    this.statements = {
      first: this.db
        .prepare<[number], number>('SELECT leaf_index FROM leaves WHERE position > ? ORDER BY position LIMIT 1')
        .pluck(),
      // In the subquery's order, which a scan of the primary key gives with no sort (an ORDER BY in
      // group_concat itself sorts the page again: twice the cost of the whole query).
      aligned: this.db.prepare<[number, number, number], AlignedRow>(
        `SELECT CAST(group_concat(leaf_hash, '') AS BLOB) AS hashes, count(*) AS count,
                min(leaf_index) AS low, max(leaf_index) AS high, min(shift) AS lowShift, max(shift) AS highShift
         FROM (SELECT leaf_hash, leaf_index, position - leaf_index AS shift FROM leaves
               WHERE leaf_index >= ? AND leaf_index <= ? AND position <= ? ORDER BY leaf_index)`,
      ),
      byPosition: this.db.prepare<[number, number, number, number], PageRow>(
        `SELECT group_concat(position, ',') AS positions, group_concat(leaf_index, ',') AS indexes,
                group_concat(hex(leaf_hash), '') AS hashes
         FROM (SELECT position, leaf_index, leaf_hash FROM leaves
               WHERE position > ? AND position <= ? AND leaf_index <= ? ORDER BY position LIMIT ?)`,
      ),
    };
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
    this.aligned = this.blobs ? this.loadAligned(after, upTo, limit) : undefined;
    if (this.aligned) return;
    const row = this.statements.byPosition.get(after, upTo, this.lastLeafIndex, limit);
    this.positions = row?.positions ? row.positions.split(',').map(Number) : [];
    this.indexes = row?.indexes ? row.indexes.split(',').map(Number) : [];
    this.hashes = row?.hashes ? Buffer.from(row.hashes, 'hex') : Buffer.alloc(0);
    this.next = 0;
  }

  private loadAligned(after: number, upTo: number, limit: number): RecordedLeafHints['aligned'] {
    const first = this.statements.first.get(after);
    if (first === undefined || first > this.lastLeafIndex) return undefined;
    const row = this.statements.aligned.get(first, Math.min(first + limit - 1, this.lastLeafIndex), upTo);
    if (!row?.hashes || row.lowShift !== row.highShift) return undefined;
    const dense = row.count === row.high - row.low + 1 && row.hashes.length === row.count * HASH_BYTES;
    return dense ? { hashes: row.hashes, low: row.low, high: row.high, shift: row.lowShift } : undefined;
  }

  /** The leaf loaded for `position`, if any; positions are asked in increasing order. */
  at(position: number): RecordedLeaf | undefined {
    if (this.aligned) {
      const { hashes, low, high, shift } = this.aligned;
      const index = position - shift;
      return index >= low && index <= high ? { hashes, offset: (index - low) * HASH_BYTES, index } : undefined;
    }
    while (this.next < this.positions.length && this.positions[this.next]! < position) this.next += 1;
    if (this.positions[this.next] !== position) return undefined;
    return { hashes: this.hashes, offset: this.next * HASH_BYTES, index: this.indexes[this.next]! };
  }

  close(): void {
    this.db.close();
  }
}
