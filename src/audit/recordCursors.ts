import type { AuditRecords, RecordedPage, StoredCheckpoint } from './auditStore.js';

const PAGE = 4_096;
const NONE: RecordedPage = { count: 0, lastIndex: -1, positions: [], hashes: Buffer.alloc(0) };

/** A run of recorded leaves from the cursor on: `length` of them, from `start` in `page`. */
export type RecordedRun = { page: RecordedPage; start: number; length: number };

/** The recorded leaves in index order, a packed page at a time, up to the snapshot. */
export class RecordedLeaves {
  private page = NONE;
  private next = 0;
  private after = -1;
  private exhausted = false;
  /** The index the cursor stands at while indexes are dense (for seek). */
  private nextIndex = 0;

  constructor(
    private readonly records: AuditRecords,
    private readonly upTo: number,
  ) {}

  /** The leaves left in the current page (one is read when it is used up); undefined when none are left. */
  run(): RecordedRun | undefined {
    if (this.next === this.page.count && !this.exhausted) {
      this.page = this.records.recordedPage(this.after, this.upTo, PAGE);
      this.next = 0;
      this.after = this.page.lastIndex;
      this.exhausted = this.page.count < PAGE;
    }
    const length = this.page.count - this.next;
    return length > 0 ? { page: this.page, start: this.next, length } : undefined;
  }

  /** Moves past `count` leaves of the current run. */
  skip(count: number): void {
    this.next += count;
    this.nextIndex += count;
  }

  /**
   * Puts the cursor at the first recorded leaf with an index from `index` on: where it would stand
   * had it passed one recorded leaf per event so far, which a worker's comparison did instead.
   */
  seek(index: number): void {
    if (index === this.nextIndex) return;
    this.nextIndex = index;
    // Past every leaf recorded up to the snapshot already: there is nothing more to read.
    if (this.exhausted && this.next === this.page.count && index > this.after) return;
    this.page = NONE;
    this.next = 0;
    this.after = index - 1;
    this.exhausted = false;
  }

  /** How many were recorded in all, up to the snapshot. */
  total(): number {
    return this.records.countLeaves(-1, this.upTo);
  }
}

/** The kept checkpoints in size order, a page at a time, up to the snapshot. */
export class KeptCheckpoints {
  private page: StoredCheckpoint[] = [];
  private next = 0;
  private exhausted = false;

  constructor(
    private readonly records: AuditRecords,
    private readonly upTo: number,
  ) {}

  /** The checkpoint kept at exactly `size`, if any (sizes are asked in increasing order). */
  at(size: number): StoredCheckpoint | undefined {
    for (;;) {
      const checkpoint = this.page[this.next];
      if (checkpoint && checkpoint.treeSize > size) return undefined;
      if (checkpoint) {
        this.next += 1;
        if (checkpoint.treeSize === size) return checkpoint;
        continue;
      }
      if (this.exhausted) return undefined;
      this.page = this.records.checkpointsAfter(this.page.at(-1)?.treeSize ?? 0, this.upTo, PAGE);
      this.next = 0;
      this.exhausted = this.page.length < PAGE;
    }
  }
}
