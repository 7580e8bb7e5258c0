import { LedgerError } from '../domain/errors.js';
import { StoreUnavailable } from '../eventStore/errors.js';
import type { EventStore, RecordedEvent, Subscription } from '../eventStore/eventStore.js';
import type { AuditStore, StoredCheckpoint } from './auditStore.js';
import { canonicalBytes } from './canonical.js';
import type { CheckpointSigner } from './checkpointSigner.js';
import { leafHash, MerkleLog } from './merkle.js';

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

export type AuditLogOptions = { origin: string; checkpointEveryEvents: number; checkpointEveryMs: number };

const hex = (b: Buffer) => b.toString('hex');

/**
 * The Merkle tree over every event in log order (RFC 6962: leaf = SHA-256(0x00 || canonical bytes),
 * leaf index = the event's index in the log), fed by the store's subscription. It records each leaf
 * hash as it indexes the event, signs checkpoints every N events or T seconds and on request, and
 * answers inclusion and consistency proofs.
 */
export class AuditLog {
  private readonly tree = new MerkleLog();
  private readonly positions: number[] = [];
  private subscription: Subscription | undefined;
  private following: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private markCaughtUp: () => void = () => undefined;
  private readonly unrecorded: { index: number; position: number; leafHash: Buffer }[] = [];
  private lastCheckpointSize = 0;
  private retry: NodeJS.Timeout | undefined;
  /** Resolves once the tree holds every event that was in the log when it started. */
  readonly caughtUp = new Promise<void>((resolve) => (this.markCaughtUp = resolve));

  constructor(
    private readonly events: EventStore,
    private readonly store: AuditStore,
    private readonly signer: CheckpointSigner,
    private readonly options: AuditLogOptions,
  ) {}

  get treeSize(): number {
    return this.tree.size;
  }

  get publicKeyPem(): string {
    return this.signer.publicKeyPem;
  }

  get keyId(): string {
    return hex(this.signer.keyId);
  }

  async start(): Promise<void> {
    for (const leaf of this.store.leaves()) {
      this.tree.append(leaf.leafHash);
      this.positions.push(leaf.position);
    }
    this.lastCheckpointSize = this.store.latestCheckpoint()?.treeSize ?? 0;
    const subscription = this.events.subscribeToAll({ after: this.positions.at(-1) ?? 0 });
    this.subscription = subscription;
    this.following = (async () => {
      for await (const message of subscription) {
        if (message.type === 'event') this.index(message.event);
        else {
          // Caught up with the log as it was at start: sign what was appended while we were away.
          this.checkpointIfGrown();
          this.markCaughtUp();
        }
      }
    })();
    this.timer = setInterval(() => this.checkpointIfGrown(), this.options.checkpointEveryMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (!this.subscription) return; // never started: it has indexed nothing it could sign
    clearInterval(this.timer);
    await this.subscription.unsubscribe();
    await this.following;
    this.checkpointIfGrown();
  }

  private index(event: RecordedEvent): void {
    const hash = leafHash(canonicalBytes(event));
    const index = this.tree.append(hash);
    this.positions.push(event.position);
    this.unrecorded.push({ index, position: event.position, leafHash: hash });
    // One transaction (and fsync) per batch of leaves, not per event: the appends' fsyncs are enough.
    if (this.unrecorded.length >= 1_000) this.recordLeaves();
    else if (this.unrecorded.length === 1) setImmediate(() => this.recordLeaves());
    if (index + 1 - this.lastCheckpointSize >= this.options.checkpointEveryEvents) this.checkpointIfGrown();
  }

  private recordLeaves(): void {
    if (this.unrecorded.length === 0) return;
    try {
      this.store.appendLeaves(this.unrecorded);
      this.unrecorded.length = 0;
    } catch {
      // The audit file could not be written (a full disk): the leaves stay in memory and are written
      // at the next batch or checkpoint; the tree in memory answers meanwhile.
      this.retry ??= setTimeout(() => {
        this.retry = undefined;
        this.recordLeaves();
      }, 1_000);
    }
  }

  /** Signs a checkpoint if the tree grew; a failure to store it (a full disk) waits for the next try. */
  private checkpointIfGrown(): void {
    try {
      this.recordLeaves();
      if (this.tree.size > (this.store.latestCheckpoint()?.treeSize ?? -1)) this.checkpoint();
    } catch {
      // tried again at the next interval, and on stop
    }
  }

  /** Signs and keeps a checkpoint of the tree as it stands (the latest one again if nothing was added). */
  checkpoint(): StoredCheckpoint {
    try {
      return this.signAndKeep();
    } catch (error) {
      throw new StoreUnavailable('The audit log could not be written; retry shortly', 5, { cause: error });
    }
  }

  private signAndKeep(): StoredCheckpoint {
    this.recordLeaves();
    const latest = this.store.latestCheckpoint();
    this.lastCheckpointSize = latest?.treeSize ?? 0;
    if (latest?.treeSize === this.tree.size) return latest;
    const treeSize = this.tree.size;
    const signed = this.signer.sign({ origin: this.options.origin, treeSize, rootHash: this.tree.root(treeSize) });
    const stored: StoredCheckpoint = {
      treeSize,
      position: this.positions[treeSize - 1] ?? 0,
      rootHash: hex(signed.rootHash),
      text: signed.text,
      signature: signed.signature.toString('base64'),
      createdAt: new Date().toISOString(),
    };
    this.store.saveCheckpoint(stored);
    this.lastCheckpointSize = treeSize;
    return stored;
  }

  /** The leaf index of the event at `position`, by binary search (positions rise with the index). */
  leafIndexOf(position: number): number {
    let low = 0;
    let high = this.positions.length - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const at = this.positions[mid] ?? 0;
      if (at === position) return mid;
      if (at < position) low = mid + 1;
      else high = mid - 1;
    }
    throw new AuditQueryRefused(404, 'no-such-event', `No event at position ${position} has been indexed`);
  }

  private requireSize(size: number): void {
    if (size < 1 || size > this.tree.size) {
      throw new AuditQueryRefused(422, 'beyond-the-log', `Tree size ${size} is outside 1..${this.tree.size}`);
    }
  }

  inclusion(position: number, treeSize: number) {
    this.requireSize(treeSize);
    const leafIndex = this.leafIndexOf(position);
    if (leafIndex >= treeSize) {
      throw new AuditQueryRefused(
        422,
        'beyond-the-log',
        `The event at ${position} is not in a tree of size ${treeSize}`,
      );
    }
    return {
      leafIndex,
      treeSize,
      leafHash: hex(this.tree.leaf(leafIndex)),
      auditPath: this.tree.inclusionProof(leafIndex, treeSize).map(hex),
    };
  }

  consistency(from: number, to: number) {
    this.requireSize(to);
    if (from < 1 || from > to) throw new AuditQueryRefused(422, 'bad-range', `from must be within 1..${to}`);
    return { from, to, proof: this.tree.consistencyProof(from, to).map(hex) };
  }
}
