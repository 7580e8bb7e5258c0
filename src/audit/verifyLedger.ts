import { availableParallelism } from 'node:os';
import type { EventStore } from '../eventStore/eventStore.js';
import { yieldToEventLoop } from '../eventStore/fairTurns.js';
import { SqliteEventStore } from '../eventStore/sqliteEventStore.js';
import type { AuditRecords } from './auditStore.js';
import { ChainLinks, type StreamLookup } from './chainLinks.js';
import type { CheckpointBody } from './checkpointSigner.js';
import { EventCheck } from './eventCheck.js';
import { verifyInWorkers } from './parallelVerify.js';
import { TreeCheck, type VerifyKey } from './treeCheck.js';

export type { VerifyKey } from './treeCheck.js';

export type Break = { position: number; streamId: string; revision: number; reason: string };

export type VerifyReport = {
  ok: boolean;
  eventsChecked: number;
  treeSize: number;
  rootHash: string;
  checkpointsChecked: number;
  firstBreak?: Break;
};

export type VerifyOptions = {
  /** Worker threads for a SQLite log (default: the cores, at most 4); 1 verifies on this thread. */
  workers?: number;
  /** Below this many positions a log is verified on this thread: starting workers costs more. */
  minPositionsForWorkers?: number;
  /** Positions per chunk handed to a worker. */
  chunkPositions?: number;
};

const PAGE = 1_000;

/** The store's reader of one event by revision, for the chain check's misses. */
export const lookupThrough =
  (events: EventStore): StreamLookup =>
  async (streamId, revision) => {
    const [found] = await events.readStream(streamId, { fromRevision: revision, maxCount: 1 });
    return found?.revision === revision ? found : undefined;
  };

/**
 * Re-reads every event and recomputes everything from the stored payloads, never trusting a stored
 * hash: each event's canonical bytes, its stream's chain (dense revisions, prevHash = hash of the
 * previous event), its leaf against the leaf recorded when it was indexed, every kept checkpoint's
 * root and signature, and the root at the size of each checkpoint the auditor holds. Stops at the
 * first break and says exactly where and what. Reads only: memory stays bounded (a page of events,
 * a page of records, the tree's right edge, an LRU of streams), and a SQLite log is read by worker
 * threads, each on its own read-only connection.
 */
export const verifyLedger = async (
  events: EventStore,
  records: AuditRecords,
  key: VerifyKey,
  /** Checkpoints an auditor saved earlier: the log must extend each of them. */
  held: readonly CheckpointBody[] = [],
  options: VerifyOptions = {},
): Promise<VerifyReport> => {
  // Records first, then the head: whatever was recorded by then describes events at or below it.
  const snapshot = {
    lastLeafIndex: records.lastLeafIndex(),
    lastCheckpointSize: records.latestCheckpoint()?.treeSize ?? 0,
  };
  const head = await events.headPosition();
  const tree = new TreeCheck(records, snapshot, key, held);
  const workers = options.workers ?? Math.min(availableParallelism(), 4);
  const parallel =
    events instanceof SqliteEventStore && workers > 1 && head >= (options.minPositionsForWorkers ?? 20_000);
  const found = parallel
    ? await verifyInWorkers({
        ...{ file: events.file, recordsFile: records.file, lastLeafIndex: snapshot.lastLeafIndex },
        ...{ events, head, tree, workers },
        chunkPositions: options.chunkPositions,
      })
    : await verifyInOrder(events, head, tree);
  const reason = found ? undefined : tree.finish();
  const firstBreak = found ?? (reason ? { position: 0, streamId: '', revision: -1, reason } : undefined);
  return {
    ok: firstBreak === undefined,
    eventsChecked: tree.size,
    treeSize: tree.size,
    rootHash: tree.root().toString('hex'),
    checkpointsChecked: tree.checkpointsChecked,
    ...(firstBreak && { firstBreak }),
  };
};

/** On this thread through the store's port (every adapter), a page at a time, yielding between pages. */
const verifyInOrder = async (events: EventStore, head: number, tree: TreeCheck): Promise<Break | undefined> => {
  const check = new EventCheck(new ChainLinks(lookupThrough(events)));
  for (let after = 0; after < head;) {
    const page = await events.readAllStored({ after, maxCount: PAGE });
    for (const stored of page) {
      if (stored.position > head) return undefined;
      let verdict = check.check(stored);
      if (verdict instanceof Promise) verdict = await verdict;
      const reason = 'reason' in verdict ? verdict.reason : tree.accept(stored.position, verdict.leafHash);
      if (reason) return { position: stored.position, streamId: stored.streamId, revision: stored.revision, reason };
    }
    if (page.length < PAGE) return undefined;
    after = page.at(-1)?.position ?? head;
    await yieldToEventLoop();
  }
  return undefined;
};
