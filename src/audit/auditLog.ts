import type { LogConsumer } from '../application/logFollower.js';
import { LedgerError } from '../domain/errors.js';
import { StoreUnavailable } from '../eventStore/errors.js';
import type { EventStore, StoredEvent } from '../eventStore/eventStore.js';
import {
  AuditStateMoved,
  STORED_HEIGHT,
  type AuditStore,
  type RecordedLeaf,
  type StoredCheckpoint,
} from './auditStore.js';
import type { CheckpointSigner } from './checkpointSigner.js';
import { auditableOf, leafHashOf } from './eventDigest.js';
import { Frontier, type CompletedNode } from './frontier.js';
import { StoredTree } from './storedTree.js';

export class AuditQueryRefused extends LedgerError {
  readonly title = 'The audit log cannot answer that';
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
  ) {
    super(detail);
  }
}

export type AuditLogOptions = {
  origin: string;
  checkpointEveryEvents: number;
  checkpointEveryMs: number;
  /** A periodic checkpoint that could not be signed or kept (it is tried again at the next tick). */
  onError?: (error: unknown) => void;
};

const hex = (b: Buffer) => b.toString('hex');

/**
 * The Merkle tree over every event in log order (RFC 6962: leaf = SHA-256(0x00 || canonical bytes),
 * leaf index = the event's index in the log), fed a page at a time by the ledger's LogFollower. It
 * commits each page's leaves with the tree's right edge and its position in one transaction, so a
 * start reads O(log n) hashes, never the leaves. It signs checkpoints every N events or T seconds
 * and on request, and answers inclusion and consistency proofs from storage.
 */
export class AuditLog implements LogConsumer {
  readonly name = 'audit';
  private frontier = Frontier.empty();
  private at = 0;
  private lastCheckpointSize = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Whether a follower fed it: only then has it anything of its own to sign when it stops. */
  private fed = false;
  /** Set aside and rebuilding from the log: not ready until it has caught up again. */
  private rebuildingTree = false;

  constructor(
    private readonly store: AuditStore,
    private readonly signer: CheckpointSigner,
    private readonly options: AuditLogOptions,
  ) {
    this.load();
  }

  get treeSize(): number {
    return this.frontier.size;
  }

  get publicKeyPem(): string {
    return this.signer.publicKeyPem;
  }

  get keyId(): string {
    return hex(this.signer.keyId);
  }

  position(): number {
    return this.at;
  }

  active(): boolean {
    return true;
  }

  apply(page: readonly StoredEvent[]): void {
    this.fed = true;
    const fresh = page.filter((event) => event.position > this.at);
    if (fresh.length > 0) this.index(fresh);
    if (this.frontier.size - this.lastCheckpointSize >= this.options.checkpointEveryEvents) this.checkpoint();
  }

  /** Whether its tree is being rebuilt from the log after the old one was set aside (see `reset`). */
  get rebuilding(): boolean {
    return this.rebuildingTree;
  }

  /**
   * LogConsumer: whether its last leaf is still the log's event at that position, re-hashed from the
   * log (one event read). A restore from an older copy that was appended to since has other events
   * there; a log that is shorter the follower sees by itself.
   */
  async divergence(log: EventStore): Promise<string | undefined> {
    const size = this.treeSize;
    if (size === 0) return undefined;
    const position = this.at;
    const [recorded] = this.store.leafHashes(size - 1, size);
    const [event] = await log.readAllStored({ after: position - 1, maxCount: 1 });
    if (event?.position !== position) return `the log has no event at position ${position}, its leaf ${size - 1}`;
    let leafHash: Buffer | undefined;
    try {
      leafHash = leafHashOf(auditableOf(event));
    } catch {
      leafHash = undefined; // an event that cannot be hashed is not the one that was
    }
    if (!recorded || !leafHash?.equals(recorded)) {
      return `the event at position ${position} is not the one its leaf ${size - 1} recorded`;
    }
    return undefined;
  }

  /**
   * LogConsumer: the log no longer holds the events of this tree. The tree and its signed checkpoints
   * are set aside whole (see AuditStore.supersede) and a new tree is built from the log; until it has
   * caught up, `rebuilding` is true and /readyz says not ready.
   */
  reset(why: string): string | undefined {
    clearInterval(this.timer);
    this.timer = undefined;
    const kept = this.store.supersede(why, new Date());
    this.load();
    this.rebuildingTree = true;
    if (!kept) return undefined;
    return `audit tree of ${kept.treeSize} leaves (up to position ${kept.position}) and its ${kept.checkpoints} signed checkpoints kept in ${kept.keptIn}`;
  }

  /** Caught up with the log: sign what was appended while it was away, then every T seconds. */
  caughtUp(): void {
    this.fed = true;
    this.rebuildingTree = false;
    this.checkpointIfGrown();
    this.timer ??= setInterval(() => {
      try {
        this.checkpointIfGrown();
      } catch (error) {
        this.options.onError?.(error);
      }
    }, this.options.checkpointEveryMs);
    this.timer.unref();
  }

  /** Stops the timer and, if it was fed, signs the tree as it stands. Call after the follower stopped. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.fed) this.checkpointIfGrown();
  }

  /**
   * Signs and keeps a checkpoint of the tree as it stands (the latest one again if nothing was
   * added). A checkpoint that cannot be stored (a full disk) is a 503: nothing was signed for good.
   */
  checkpoint(): StoredCheckpoint {
    try {
      return this.signAndKeep();
    } catch (error) {
      throw new StoreUnavailable('The audit log could not be written; retry shortly', 5, { cause: error });
    }
  }

  private signAndKeep(): StoredCheckpoint {
    const latest = this.store.latestCheckpoint();
    this.lastCheckpointSize = latest?.treeSize ?? 0;
    if (latest?.treeSize === this.treeSize) return latest;
    const treeSize = this.treeSize;
    const signed = this.signer.sign({ origin: this.options.origin, treeSize, rootHash: this.frontier.root() });
    const stored: StoredCheckpoint = {
      treeSize,
      position: this.at,
      rootHash: hex(signed.rootHash),
      text: signed.text,
      signature: signed.signature.toString('base64'),
      createdAt: new Date().toISOString(),
    };
    this.store.saveCheckpoint(stored);
    this.lastCheckpointSize = treeSize;
    return stored;
  }

  inclusion(position: number, treeSize: number) {
    this.requireSize(treeSize);
    const leafIndex = this.store.leafIndexOf(position);
    if (leafIndex === undefined) {
      throw new AuditQueryRefused(404, 'no-such-event', `No event at position ${position} has been indexed`);
    }
    if (leafIndex >= treeSize) {
      throw new AuditQueryRefused(
        422,
        'beyond-the-log',
        `The event at ${position} is not in a tree of size ${treeSize}`,
      );
    }
    const tree = new StoredTree(this.store, this.treeSize);
    return {
      leafIndex,
      treeSize,
      leafHash: hex(tree.leaf(leafIndex)),
      auditPath: tree.inclusionProof(leafIndex, treeSize).map(hex),
    };
  }

  consistency(from: number, to: number) {
    this.requireSize(to);
    if (from < 1 || from > to) throw new AuditQueryRefused(422, 'bad-range', `from must be within 1..${to}`);
    return { from, to, proof: new StoredTree(this.store, this.treeSize).consistencyProof(from, to).map(hex) };
  }

  private requireSize(size: number): void {
    if (size < 1 || size > this.treeSize) {
      throw new AuditQueryRefused(422, 'beyond-the-log', `Tree size ${size} is outside 1..${this.treeSize}`);
    }
  }

  /** Appends the events to a copy of the tree and commits; the copy replaces the tree only once committed. */
  private index(events: readonly StoredEvent[]): void {
    const next = this.frontier.copy();
    const leaves: RecordedLeaf[] = [];
    const nodes: CompletedNode[] = [];
    for (const event of events) {
      const leafHash = leafHashOf(auditableOf(event));
      leaves.push({ index: next.size, position: event.position, leafHash });
      next.append(leafHash, (node) => {
        if (node.height >= STORED_HEIGHT) nodes.push(node);
      });
    }
    const position = events.at(-1)?.position ?? this.at;
    try {
      this.store.commit(this.treeSize, leaves, nodes, { size: next.size, position, edge: next.edge() });
    } catch (error) {
      // Another process indexed meanwhile: take its tree, and let the follower feed what is left.
      if (error instanceof AuditStateMoved) this.load();
      throw error;
    }
    this.frontier = next;
    this.at = position;
  }

  private checkpointIfGrown(): void {
    if (this.treeSize > (this.store.latestCheckpoint()?.treeSize ?? -1)) this.checkpoint();
  }

  /** The committed tree: O(log n) hashes of its right edge, whatever the log's size. */
  private load(): void {
    const state = this.store.treeState();
    this.frontier = Frontier.of(state.size, state.edge);
    this.at = state.position;
    this.lastCheckpointSize = this.store.latestCheckpoint()?.treeSize ?? 0;
  }
}
