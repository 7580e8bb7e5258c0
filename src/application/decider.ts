import type { LedgerEvent } from '../domain/events.js';
import type { SnapshotCodec } from './streamSnapshots.js';

/**
 * A stream's rules: `decide` is pure; `evolve` may update the state in place and return it, since a
 * folded state belongs to one holder at a time (see FoldedStreams). With `snapshot`, long streams
 * of this kind are saved now and then, so that a restart folds only the events after the snapshot.
 */
export type Decider<C, E extends LedgerEvent, S> = {
  initialState: () => S;
  evolve: (state: S, event: E) => S;
  decide: (command: C, state: S) => E[];
  snapshot?: SnapshotCodec<S>;
};

/** What folding a stream needs of its decider. */
export type Fold<E extends LedgerEvent, S> = Pick<Decider<unknown, E, S>, 'initialState' | 'evolve' | 'snapshot'>;
