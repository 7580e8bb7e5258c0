import type { KeyObject } from 'node:crypto';
import type { EventStore, RecordedEvent } from '../eventStore/eventStore.js';
import { readLog } from '../eventStore/readLog.js';
import type { AuditStore, StoredCheckpoint } from './auditStore.js';
import { canonicalBytes, hashOfCanonical } from './canonical.js';
import { verifyCheckpoint, type CheckpointBody } from './checkpointSigner.js';
import { leafHash, MerkleLog } from './merkle.js';

export type Break = { position: number; streamId: string; revision: number; reason: string };

export type VerifyReport = {
  ok: boolean;
  eventsChecked: number;
  treeSize: number;
  rootHash: string;
  checkpointsChecked: number;
  firstBreak?: Break;
};

type Key = { publicKey: KeyObject; name: string };
type ChainLink = { revision: number; hash: string };

/** What is wrong with an event's place in its stream's chain, if anything. */
const chainProblem = (event: RecordedEvent, previous: ChainLink | undefined): string | undefined => {
  const expectedRevision = (previous?.revision ?? -1) + 1;
  if (event.revision !== expectedRevision) {
    return `revision ${event.revision} where ${expectedRevision} was expected: an event is missing or moved`;
  }
  const link = event.metadata.prevHash;
  if (link !== (previous?.hash ?? null)) {
    return `prevHash ${String(link)} does not match the previous event's hash ${previous?.hash ?? 'null'}`;
  }
  return undefined;
};

/** What is wrong with a kept checkpoint at the tree's current size, if anything. */
const checkpointProblem = (tree: MerkleLog, checkpoint: StoredCheckpoint, key: Key): string | undefined => {
  const root = tree.root().toString('hex');
  if (root !== checkpoint.rootHash) {
    return `the log's root at size ${tree.size} is ${root}, checkpoint says ${checkpoint.rootHash}`;
  }
  try {
    const signed = verifyCheckpoint(checkpoint.text, key.publicKey, key.name);
    if (signed.treeSize !== tree.size || signed.rootHash.toString('hex') !== root)
      return 'the signed text says otherwise';
  } catch (error) {
    return `checkpoint at size ${tree.size} is not validly signed: ${(error as Error).message}`;
  }
  return undefined;
};

/**
 * Re-reads every event and recomputes everything from the stored payloads, never trusting a stored
 * hash: each event's canonical bytes, its stream's chain (dense revisions, prevHash = hash of the
 * previous event), its leaf against the leaf recorded when it was indexed, and every kept
 * checkpoint's root and signature. Stops at the first break and says exactly where and what.
 */
export const verifyLedger = async (
  events: EventStore,
  audit: AuditStore,
  key: Key,
  /** Checkpoints an auditor saved earlier: the log must extend each of them. */
  held: readonly CheckpointBody[] = [],
): Promise<VerifyReport> => {
  const heldBySize = new Map(held.map((c) => [c.treeSize, c]));
  const recordedLeaves = audit.leaves();
  const checkpoints = new Map(audit.checkpoints().map((c) => [c.treeSize, c]));
  const streams = new Map<string, ChainLink>();
  const tree = new MerkleLog();
  let checkpointsChecked = 0;
  const report = (firstBreak?: Break): VerifyReport => ({
    ok: firstBreak === undefined,
    eventsChecked: tree.size,
    treeSize: tree.size,
    rootHash: tree.root().toString('hex'),
    checkpointsChecked,
    ...(firstBreak && { firstBreak }),
  });

  for await (const event of readLog(events)) {
    const bytes = canonicalBytes(event);
    const leaf = leafHash(bytes);
    const recorded = recordedLeaves[tree.size];
    let reason = chainProblem(event, streams.get(event.streamId));
    if (!reason && recorded && (recorded.position !== event.position || !recorded.leafHash.equals(leaf))) {
      reason = `the stored event no longer hashes to leaf ${recorded.leafHash.toString('hex')} recorded when it was appended`;
    }
    if (!reason) {
      streams.set(event.streamId, { revision: event.revision, hash: hashOfCanonical(bytes) });
      tree.append(leaf);
      const mine = heldBySize.get(tree.size);
      if (mine && !mine.rootHash.equals(tree.root())) {
        reason = `the log is not an append-only extension of the checkpoint you hold at size ${tree.size}: the roots differ`;
      }
      const checkpoint = checkpoints.get(tree.size);
      if (!reason && checkpoint) {
        checkpointsChecked += 1;
        reason = checkpointProblem(tree, checkpoint, key);
      }
    }
    if (reason) return report({ position: event.position, streamId: event.streamId, revision: event.revision, reason });
  }
  const claimed = Math.max(recordedLeaves.length, ...checkpoints.keys(), ...heldBySize.keys());
  if (claimed > tree.size) {
    const reason = `the log has ${tree.size} events but ${claimed} were recorded: events are missing at the end`;
    return report({ position: 0, streamId: '', revision: -1, reason });
  }
  return report();
};
