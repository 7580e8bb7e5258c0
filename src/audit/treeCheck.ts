import type { KeyObject } from 'node:crypto';
import type { AuditRecords, RecordedLeaf, StoredCheckpoint } from './auditStore.js';
import { verifyCheckpoint, type CheckpointBody } from './checkpointSigner.js';
import { Frontier } from './frontier.js';

export type VerifyKey = { publicKey: KeyObject; name: string };

/** What one verification compares with: the records as they stood when it began (the log may grow meanwhile). */
export type RecordsSnapshot = { lastLeafIndex: number; lastCheckpointSize: number };

const PAGE = 4_096;

/** The recorded leaves in index order, a page at a time, up to the snapshot. */
class RecordedLeaves {
  private page: RecordedLeaf[] = [];
  private next = 0;
  private after = -1;
  private exhausted = false;
  consumed = 0;

  constructor(
    private readonly records: AuditRecords,
    private readonly upTo: number,
  ) {}

  take(): RecordedLeaf | undefined {
    if (this.next === this.page.length && !this.exhausted) {
      this.page = this.records.leavesAfter(this.after, this.upTo, PAGE);
      this.next = 0;
      this.exhausted = this.page.length < PAGE;
    }
    const leaf = this.page[this.next];
    if (!leaf) return undefined;
    this.next += 1;
    this.after = leaf.index;
    this.consumed += 1;
    return leaf;
  }

  /** How many were recorded in all: those taken and those left. */
  total(): number {
    return this.consumed + (this.page.length - this.next) + this.records.countLeaves(this.lastPaged(), this.upTo);
  }

  private lastPaged(): number {
    return this.page.at(-1)?.index ?? this.after;
  }
}

/** The kept checkpoints in size order, a page at a time, up to the snapshot. */
class KeptCheckpoints {
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

/**
 * The log's Merkle tree rebuilt from recomputed leaf hashes, in log order, against what the ledger
 * recorded: each leaf against the leaf recorded when the event was indexed, the root at every kept
 * checkpoint's size with its signature, and the root at the size of every checkpoint the auditor
 * holds. Memory: the tree's right edge and a page of records, whatever the log's size.
 */
export class TreeCheck {
  private readonly tree = Frontier.empty();
  private readonly leaves: RecordedLeaves;
  private readonly kept: KeptCheckpoints;
  private readonly held: CheckpointBody[];
  private nextHeld = 0;
  checkpointsChecked = 0;

  constructor(
    records: AuditRecords,
    private readonly snapshot: RecordsSnapshot,
    private readonly key: VerifyKey,
    held: readonly CheckpointBody[],
  ) {
    this.leaves = new RecordedLeaves(records, snapshot.lastLeafIndex);
    this.kept = new KeptCheckpoints(records, snapshot.lastCheckpointSize);
    // One held checkpoint per size (the last given wins), smallest first.
    this.held = [...new Map(held.map((c) => [c.treeSize, c])).values()].sort((a, b) => a.treeSize - b.treeSize);
  }

  get size(): number {
    return this.tree.size;
  }

  root(): Buffer {
    return this.tree.root();
  }

  /** Adds the next event's recomputed leaf; the reason it breaks the records, if it does. */
  accept(position: number, leafHash: Buffer): string | undefined {
    const recorded = this.leaves.take();
    if (recorded && (recorded.position !== position || !recorded.leafHash.equals(leafHash))) {
      return `the stored event no longer hashes to leaf ${recorded.leafHash.toString('hex')} recorded when it was appended`;
    }
    this.tree.append(leafHash);
    const size = this.tree.size;
    const mine = this.heldAt(size);
    const checkpoint = this.kept.at(size);
    if (!mine && !checkpoint) return undefined;
    const root = this.tree.root();
    if (mine && !mine.rootHash.equals(root)) {
      return `the log is not an append-only extension of the checkpoint you hold at size ${size}: the roots differ`;
    }
    if (!checkpoint) return undefined;
    this.checkpointsChecked += 1;
    return checkpointProblem(size, root, checkpoint, this.key);
  }

  /** After the last event: the reason the records claim more than the log holds, if they do. */
  finish(): string | undefined {
    const heldSizes = this.held.map((c) => c.treeSize);
    const claimed = Math.max(this.leaves.total(), this.snapshot.lastCheckpointSize, ...heldSizes);
    if (claimed <= this.tree.size) return undefined;
    return `the log has ${this.tree.size} events but ${claimed} were recorded: events are missing at the end`;
  }

  private heldAt(size: number): CheckpointBody | undefined {
    while (this.held[this.nextHeld] && this.held[this.nextHeld]!.treeSize < size) this.nextHeld += 1;
    const held = this.held[this.nextHeld];
    return held?.treeSize === size ? held : undefined;
  }
}

/** What is wrong with a kept checkpoint at the tree's current size, if anything. */
const checkpointProblem = (
  size: number,
  rootHash: Buffer,
  checkpoint: StoredCheckpoint,
  key: VerifyKey,
): string | undefined => {
  const root = rootHash.toString('hex');
  if (root !== checkpoint.rootHash)
    return `the log's root at size ${size} is ${root}, checkpoint says ${checkpoint.rootHash}`;
  try {
    const signed = verifyCheckpoint(checkpoint.text, key.publicKey, key.name);
    if (signed.treeSize !== size || signed.rootHash.toString('hex') !== root) return 'the signed text says otherwise';
  } catch (error) {
    return `checkpoint at size ${size} is not validly signed: ${(error as Error).message}`;
  }
  return undefined;
};
