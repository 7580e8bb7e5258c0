import type { CompletedNode } from './frontier.js';

export type StoredCheckpoint = {
  treeSize: number;
  /** The position of the last event the checkpoint covers (0 for an empty log). */
  position: number;
  rootHash: string;
  text: string;
  signature: string;
  createdAt: string;
};

/** The leaf hash of the event at `position`, recorded as leaf `index` when the audit log indexed it. */
export type RecordedLeaf = { index: number; position: number; leafHash: Buffer };

/**
 * Recorded leaves in index order, packed: their positions, and their hashes end to end (32 bytes
 * each). One Buffer per page rather than per leaf: verification compares every leaf of the log.
 */
export type RecordedPage = { count: number; lastIndex: number; positions: number[]; hashes: Buffer };

/** The tree as committed: its size, the position of its last event (0 when empty), its right edge (highest first). */
export type TreeState = { size: number; position: number; edge: Buffer[] };

/**
 * Perfect subtrees at least this high (256 leaves and more) are stored; lower ones are computed from
 * at most 256 leaves when a proof needs them. About n/128 stored nodes make any root or proof cost
 * O(log n) lookups plus a couple of blocks of leaves.
 */
export const STORED_HEIGHT = 8;

/**
 * What verification reads beside the log, in bounded pages: the leaf hash recorded for each event
 * and every signed checkpoint. Verification recomputes hashes from the events and compares with both.
 */
export interface AuditRecords {
  /** The SQLite file the records are in, when another thread may open it read-only; else undefined. */
  readonly file?: string | undefined;
  /** The highest recorded leaf index, -1 when none: read first, it bounds what one verification compares. */
  lastLeafIndex(): number;
  /** Recorded leaves with index in (after, upTo], in index order, at most `limit`. */
  recordedPage(after: number, upTo: number, limit: number): RecordedPage;
  /** How many recorded leaves have an index in (after, upTo]. */
  countLeaves(after: number, upTo: number): number;
  /** Kept checkpoints with a tree size in (after, upTo], smallest first, at most `limit`. */
  checkpointsAfter(after: number, upTo: number, limit: number): StoredCheckpoint[];
  /** Kept checkpoints with a tree size below `before`, largest first, at most `limit`: a page of the list, newest first. */
  checkpointsBefore(before: number, limit: number): StoredCheckpoint[];
  latestCheckpoint(): StoredCheckpoint | undefined;
  checkpointAt(treeSize: number): StoredCheckpoint | undefined;
  close(): void;
}

/**
 * The audit log's own storage: recorded leaves (by index and by position), the stored nodes of the
 * tree, its right edge and the position it reached, and every signed checkpoint.
 */
export interface AuditStore extends AuditRecords {
  treeState(): TreeState;
  /**
   * Records `leaves`, the `nodes` they completed (those at STORED_HEIGHT and above are kept) and the
   * new state in one transaction. Throws AuditStateMoved, recording nothing, when the stored tree is
   * no longer `previousSize` leaves (another process indexed meanwhile).
   */
  commit(
    previousSize: number,
    leaves: readonly RecordedLeaf[],
    nodes: readonly CompletedNode[],
    state: TreeState,
  ): void;
  /** The leaf index of the event at `position`, if it was indexed. */
  leafIndexOf(position: number): number | undefined;
  /** The leaf hashes of [start, end), read in one query (proofs read at most a block of 256). */
  leafHashes(start: number, end: number): Buffer[];
  /** The stored hash of a perfect subtree at STORED_HEIGHT or above. */
  node(height: number, index: number): Buffer | undefined;
  /** Keeps a signed checkpoint durably (an fsync even when leaves are committed without one). */
  saveCheckpoint(checkpoint: StoredCheckpoint): void;
  /**
   * Sets the whole tree aside (leaves, nodes and signed checkpoints, kept as they are) and starts an
   * empty one, recording when, why and where the old one went. Signed checkpoints are attestations
   * given out: they are never dropped, only moved where an operator can find them. Undefined when
   * there was nothing to keep (an empty tree, no checkpoint).
   */
  supersede(why: string, at: Date): SupersededTree | undefined;
}

/** A tree set aside whole, with its signed checkpoints, because the log no longer held its events. */
export type SupersededTree = { treeSize: number; position: number; checkpoints: number; keptIn: string };

/** The stored tree moved under this process: its state must be read again. */
export class AuditStateMoved extends Error {
  constructor(expected: number, found: number) {
    super(`the audit store holds ${found} leaves where this process expected ${expected}`);
  }
}
