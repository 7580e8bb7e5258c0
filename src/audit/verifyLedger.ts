import type { KeyObject } from 'node:crypto';
import type { EventStore, RecordedEvent } from '../eventStore/eventStore.js';
import type { AuditStore } from './auditStore.js';
import { canonicalBytes } from './canonical.js';
import { verifyCheckpoint, type CheckpointBody } from './checkpointSigner.js';
import { leafHash, MerkleLog } from './merkle.js';
import { createHash } from 'node:crypto';

export type Break = { position: number; streamId: string; revision: number; reason: string };

export type VerifyReport = {
  ok: boolean;
  eventsChecked: number;
  treeSize: number;
  rootHash: string;
  checkpointsChecked: number;
  firstBreak?: Break;
};

const PAGE = 2_000;

/**
 * Re-reads every event and recomputes everything from the stored payloads, never trusting a stored
 * hash: each event's canonical bytes, its stream's chain (dense revisions, prevHash = hash of the
 * previous event), its leaf against the leaf recorded when it was indexed, and every kept
 * checkpoint's root and signature. Stops at the first break and says exactly where and what.
 */
export const verifyLedger = async (
  events: EventStore,
  audit: AuditStore,
  key: { publicKey: KeyObject; name: string },
  /** Checkpoints an auditor saved earlier: the log must extend each of them. */
  held: readonly CheckpointBody[] = [],
): Promise<VerifyReport> => {
  const heldBySize = new Map(held.map((c) => [c.treeSize, c]));
  const tree = new MerkleLog();
  const recordedLeaves = audit.leaves();
  const checkpoints = new Map(audit.checkpoints().map((c) => [c.treeSize, c]));
  const streams = new Map<string, { revision: number; hash: string }>();
  let checkpointsChecked = 0;
  const report = (firstBreak?: Break): VerifyReport => ({
    ok: firstBreak === undefined,
    eventsChecked: tree.size,
    treeSize: tree.size,
    rootHash: tree.root().toString('hex'),
    checkpointsChecked,
    ...(firstBreak && { firstBreak }),
  });
  const breakAt = (event: RecordedEvent, reason: string): VerifyReport =>
    report({ position: event.position, streamId: event.streamId, revision: event.revision, reason });

  for (let after = 0; ;) {
    const page = await events.readAll({ after, maxCount: PAGE });
    for (const event of page) {
      const bytes = canonicalBytes(event);
      const hash = createHash('sha256').update(bytes).digest('hex');
      const previous = streams.get(event.streamId);
      const expectedRevision = (previous?.revision ?? -1) + 1;
      if (event.revision !== expectedRevision) {
        return breakAt(
          event,
          `revision ${event.revision} where ${expectedRevision} was expected: an event is missing or moved`,
        );
      }
      const link = event.metadata.prevHash;
      if (link !== (previous?.hash ?? null)) {
        return breakAt(
          event,
          `prevHash ${String(link)} does not match the previous event's hash ${previous?.hash ?? 'null'}`,
        );
      }
      streams.set(event.streamId, { revision: event.revision, hash });
      const leaf = leafHash(bytes);
      const recorded = recordedLeaves[tree.size];
      if (recorded && (recorded.position !== event.position || !recorded.leafHash.equals(leaf))) {
        return breakAt(
          event,
          `the stored event no longer hashes to leaf ${recorded.leafHash.toString('hex')} recorded when it was appended`,
        );
      }
      tree.append(leaf);
      const mine = heldBySize.get(tree.size);
      if (mine && !mine.rootHash.equals(tree.root())) {
        return breakAt(
          event,
          `the log is not an append-only extension of the checkpoint you hold at size ${tree.size}: the roots differ`,
        );
      }
      const checkpoint = checkpoints.get(tree.size);
      if (checkpoint) {
        checkpointsChecked += 1;
        const root = tree.root().toString('hex');
        if (root !== checkpoint.rootHash) {
          return breakAt(
            event,
            `the log's root at size ${tree.size} is ${root}, checkpoint says ${checkpoint.rootHash}`,
          );
        }
        try {
          const signed = verifyCheckpoint(checkpoint.text, key.publicKey, key.name);
          if (signed.treeSize !== tree.size || signed.rootHash.toString('hex') !== root)
            throw new Error('the signed text says otherwise');
        } catch (error) {
          return breakAt(event, `checkpoint at size ${tree.size} is not validly signed: ${(error as Error).message}`);
        }
      }
    }
    if (page.length < PAGE) break;
    after = page.at(-1)?.position ?? after;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  const beyond = [...checkpoints.keys(), ...heldBySize.keys()].find((size) => size > tree.size);
  if (beyond !== undefined || recordedLeaves.length > tree.size) {
    const last = { position: 0, streamId: '', revision: -1 };
    return report({
      ...last,
      reason: `the log has ${tree.size} events but ${Math.max(beyond ?? 0, recordedLeaves.length)} were recorded: events are missing at the end`,
    });
  }
  return report();
};
