// The first verification, kept as the reference the streamed and parallel one must equal report for
// report: it loads every event, every recorded leaf and every checkpoint, and builds the whole tree
// in memory (fine for the small logs of the tests). Only its inputs are adapted: it reads the
// recorded leaves and checkpoints straight from the audit file.
import { createHash, type KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import Database from '../../src/sqliteDriver.js';
import type { StoredCheckpoint } from '../../src/audit/auditStore.js';
import { verifyCheckpoint, type CheckpointBody } from '../../src/audit/checkpointSigner.js';
import { leafHash, MerkleLog } from '../../src/audit/merkle.js';
import type { VerifyReport } from '../../src/audit/verifyLedger.js';
import type { EventStore, RecordedEvent } from '../../src/eventStore/eventStore.js';
import { referenceCanonicalBytes } from './jcsReference.js';

type Key = { publicKey: KeyObject; name: string };
type ChainLink = { revision: number; hash: string };
type Break = { position: number; streamId: string; revision: number; reason: string };

const records = (file: string) => {
  if (!existsSync(file)) return { leaves: [], checkpoints: [] };
  const db = new Database(file, { readonly: true });
  try {
    const leaves = db
      .prepare<[], { position: number; leaf_hash: Buffer }>(
        'SELECT position, leaf_hash FROM leaves ORDER BY leaf_index',
      )
      .all()
      .map((row) => ({ position: row.position, leafHash: row.leaf_hash }));
    const checkpoints = db
      .prepare<[], { tree_size: number; root_hash: string; text: string }>(
        'SELECT * FROM checkpoints ORDER BY tree_size',
      )
      .all()
      .map((row) => ({ treeSize: row.tree_size, rootHash: row.root_hash, text: row.text }) as StoredCheckpoint);
    return { leaves, checkpoints };
  } finally {
    db.close();
  }
};

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

export const referenceVerify = async (
  events: EventStore,
  auditFile: string,
  key: Key,
  held: readonly CheckpointBody[] = [],
): Promise<VerifyReport> => {
  const heldBySize = new Map(held.map((c) => [c.treeSize, c]));
  const { leaves: recordedLeaves, checkpoints: kept } = records(auditFile);
  const checkpoints = new Map(kept.map((c) => [c.treeSize, c]));
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

  for (const event of await events.readAll({})) {
    const bytes = referenceCanonicalBytes(event);
    const leaf = leafHash(bytes);
    const recorded = recordedLeaves[tree.size];
    let reason = chainProblem(event, streams.get(event.streamId));
    if (!reason && recorded && (recorded.position !== event.position || !recorded.leafHash.equals(leaf))) {
      reason = `the stored event no longer hashes to leaf ${recorded.leafHash.toString('hex')} recorded when it was appended`;
    }
    if (!reason) {
      streams.set(event.streamId, { revision: event.revision, hash: createHash('sha256').update(bytes).digest('hex') });
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
