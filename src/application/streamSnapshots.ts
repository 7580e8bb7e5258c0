/**
 * A stream's fold as saved at `revision`: derived state, which may be deleted at any time. A
 * missing, older or unusable snapshot only costs a longer fold.
 */
export type StreamSnapshot = {
  streamId: string;
  revision: number;
  /** The hash of the stream's event at `revision`: the snapshot is used only while the log still has it. */
  lastHash: string;
  /** The shape of `stateJson` (SnapshotCodec.version). */
  version: number;
  stateJson: string;
};

/** Where stream snapshots are kept: one per stream, the latest replacing the one before. */
export interface StreamSnapshotStore {
  load(streamId: string): Promise<StreamSnapshot | undefined>;
  save(snapshot: StreamSnapshot): Promise<void>;
  close(): Promise<void>;
}

/**
 * How a decider's state is written to and read from JSON. `version` names the shape: bump it with
 * any change to the state or to what `evolve` keeps, and older snapshots are ignored.
 */
export type SnapshotCodec<S> = {
  version: number;
  toJson: (state: S) => unknown;
  /** Throws on anything that is not a state of this version. */
  fromJson: (json: unknown) => S;
};
