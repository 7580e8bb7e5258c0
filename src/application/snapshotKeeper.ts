import { eventHash } from '../audit/canonical.js';
import type { EventStore } from '../eventStore/eventStore.js';
import type { Folded } from './streamCache.js';
import type { SnapshotCodec, StreamSnapshotStore } from './streamSnapshots.js';

export type SnapshotOptions = {
  /** Where snapshots are kept; without it nothing is saved and every fold starts from the first event. */
  snapshots?: StreamSnapshotStore;
  /** A stream is saved again once its fold is this many events past its last snapshot. */
  snapshotEvery?: number;
  /**
   * A state whose JSON is larger is not saved: parsing it back holds the event loop (about 7 ms per
   * MB measured here), while a fold holds it one page at a time. Default 2 MiB.
   */
  maxSnapshotBytes?: number;
};

/** Saves and restores folds of long streams, never trusting a snapshot the log no longer agrees with. */
export class SnapshotKeeper {
  readonly every: number;
  private readonly maxBytes: number;

  constructor(
    private readonly store: EventStore,
    private readonly snapshots: StreamSnapshotStore,
    options: SnapshotOptions,
  ) {
    this.every = options.snapshotEvery ?? 1000;
    this.maxBytes = options.maxSnapshotBytes ?? 2 * 1024 * 1024;
  }

  /**
   * The stream's last snapshot, if it is of the codec's version and the log still holds the very event
   * it was taken at: a ledger restored from an older backup must never be folded on top of a newer
   * snapshot. Anything unusable is ignored (the stream is folded from its first event).
   */
  async restore<S>(streamId: string, codec: SnapshotCodec<S>): Promise<Folded<S> | undefined> {
    const snapshot = await this.snapshots.load(streamId).catch(() => undefined);
    if (snapshot?.version !== codec.version) return undefined;
    const [event] = await this.store.readStream(streamId, { fromRevision: snapshot.revision, maxCount: 1 });
    if (event?.revision !== snapshot.revision || eventHash(event) !== snapshot.lastHash) return undefined;
    try {
      const state = codec.fromJson(JSON.parse(snapshot.stateJson));
      return { state, revision: snapshot.revision, lastHash: snapshot.lastHash };
    } catch {
      return undefined;
    }
  }

  /**
   * Saves the fold as it is now; call it while the fold is held, since the state changes in place.
   * Answers false when the state is too large to be worth saving.
   */
  async save<S>(streamId: string, folded: Folded<S>, codec: SnapshotCodec<S>): Promise<boolean> {
    if (folded.lastHash === null) return false;
    const stateJson = JSON.stringify(codec.toJson(folded.state));
    if (Buffer.byteLength(stateJson) > this.maxBytes) return false;
    const { revision, lastHash } = folded;
    await this.snapshots.save({ streamId, revision, lastHash, version: codec.version, stateJson });
    return true;
  }
}
