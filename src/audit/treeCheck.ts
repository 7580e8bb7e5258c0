import type { KeyObject } from 'node:crypto';
import type { AuditRecords, StoredCheckpoint } from './auditStore.js';
import { verifyCheckpoint, type CheckpointBody } from './checkpointSigner.js';
import { Frontier } from './frontier.js';
import { HASH_BYTES } from './merkle.js';
import { KeptCheckpoints, RecordedLeaves } from './recordCursors.js';

export type VerifyKey = { publicKey: KeyObject; name: string };

/** What one verification compares with: the records as they stood when it began (the log may grow meanwhile). */
export type RecordsSnapshot = { lastLeafIndex: number; lastCheckpointSize: number };

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
    const run = this.leaves.run();
    if (run) {
      const { page, start } = run;
      const recorded = page.hashes.subarray(start * HASH_BYTES, (start + 1) * HASH_BYTES);
      if (page.positions[start] !== position || !recorded.equals(leafHash)) {
        return `the stored event no longer hashes to leaf ${recorded.toString('hex')} recorded when it was appended`;
      }
      this.leaves.skip(1);
    }
    return this.grow(leafHash);
  }

  /**
   * Adds `count` leaves (positions, and hashes end to end) as a worker sends them, with what the
   * worker found recorded for each: the index of the recorded leaf with that position and that hash,
   * or -1. A leaf whose recorded index is the one it takes in the tree is the recorded leaf; any
   * other is compared here, exactly as `accept` does. The index of the first leaf that breaks the
   * records and why, if one does.
   */
  acceptAll(
    positions: Float64Array,
    hashes: Uint8Array,
    count: number,
    recorded: Float64Array,
  ): { index: number; reason: string } | undefined {
    const bytes = Buffer.from(hashes.buffer, hashes.byteOffset, count * HASH_BYTES);
    for (let i = 0; i < count; i += 1) {
      const leaf = bytes.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES);
      const expected = this.tree.size;
      let reason: string | undefined;
      if (recorded[i] === expected) reason = this.grow(leaf);
      else {
        this.leaves.seek(expected);
        reason = this.accept(positions[i]!, leaf);
      }
      if (reason) return { index: i, reason };
    }
    return undefined;
  }

  /** After the last event: the reason the records claim more than the log holds, if they do. */
  finish(): string | undefined {
    const heldSizes = this.held.map((c) => c.treeSize);
    const claimed = Math.max(this.leaves.total(), this.snapshot.lastCheckpointSize, ...heldSizes);
    if (claimed <= this.tree.size) return undefined;
    return `the log has ${this.tree.size} events but ${claimed} were recorded: events are missing at the end`;
  }

  /** Appends a leaf already compared and checks the checkpoints at the new size. */
  private grow(leafHash: Buffer): string | undefined {
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
