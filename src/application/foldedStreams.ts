import { setImmediate as nextTurn } from 'node:timers/promises';
import { eventHash } from '../audit/canonical.js';
import { yieldToEventLoop } from '../eventStore/fairTurns.js';
import { toLedgerEvent, type LedgerEvent } from '../domain/events.js';
import type { EventStore } from '../eventStore/eventStore.js';
import type { Fold } from './decider.js';
import { SnapshotKeeper, type SnapshotOptions } from './snapshotKeeper.js';
import { StreamCache, type Folded } from './streamCache.js';
import { StreamLocks } from './streamLocks.js';
import type { SnapshotCodec } from './streamSnapshots.js';

/** Events read and folded per turn of the event loop unless told otherwise: a few milliseconds' work. */
export const DEFAULT_FOLD_PAGE = 200;

/** A fold as its holder has it: `nextSnapshotAt` is the revision from which it is worth saving again. */
export type Held<S> = Folded<S> & { nextSnapshotAt: number };

export type FoldOptions = SnapshotOptions & {
  cachedStreams?: number;
  /** Events read and folded per turn of the event loop (a few milliseconds' work). */
  foldPageSize?: number;
};

/**
 * The folded states of streams, each with one holder at a time. States are updated in place, so
 * every use of one (a command, a read, a snapshot) runs inside `exclusive` for its stream, and a
 * state is only advanced by events the store has accepted. Streams only grow, so a fold stays true
 * up to its revision: a fold only ever needs the events after it (or after its snapshot).
 */
export class FoldedStreams {
  private readonly cache: StreamCache<Held<unknown>>;
  private readonly locks = new StreamLocks();
  private readonly pageSize: number;
  private readonly keeper: SnapshotKeeper | undefined;
  private readonly saving = new Map<string, Promise<void>>();

  constructor(
    private readonly store: EventStore,
    options: FoldOptions = {},
  ) {
    this.cache = new StreamCache(options.cachedStreams ?? 10_000);
    this.pageSize = options.foldPageSize ?? DEFAULT_FOLD_PAGE;
    this.keeper = options.snapshots && new SnapshotKeeper(store, options.snapshots, options);
  }

  /** Runs `work` while nothing else uses this stream's folded state. */
  exclusive<T>(streamId: string, work: () => Promise<T>): Promise<T> {
    return this.locks.run(streamId, work);
  }

  /**
   * The stream's fold (revision -1 when it has no events); only inside `exclusive`. With `catchUp`
   * it holds every event the store has now; without, a cached fold is taken as it is: a command
   * appends at the fold's revision, so an event this process has not seen fails the append.
   */
  async load<E extends LedgerEvent, S>(
    streamId: string,
    decider: Fold<E, S>,
    { catchUp }: { catchUp: boolean },
  ): Promise<Held<S>> {
    const cached = this.cache.get(streamId) as Held<S> | undefined;
    if (cached && !catchUp) return cached;
    const folded = cached ?? (await this.start(streamId, decider));
    try {
      // A fold not cached may read many pages: each waits for its turn, the first one too.
      await this.foldNewer(streamId, decider, folded, { waitFirst: !cached });
    } catch (error) {
      this.cache.delete(streamId); // a fold that stopped half-way is no fold at all
      throw error;
    }
    if (folded.revision >= 0) this.keep(streamId, decider, folded);
    return folded;
  }

  /**
   * Moves a fold on by the events its holder just appended (their last hash computed when they were
   * wrapped), without reading them back. Anything unexpected drops the fold: the store has the truth.
   */
  advance<E extends LedgerEvent, S>(
    streamId: string,
    decider: Fold<E, S>,
    folded: Held<S>,
    appended: { events: readonly E[]; revision: number; lastHash: string | null },
  ): void {
    const { events, revision, lastHash } = appended;
    if (events.length === 0) return;
    try {
      if (revision !== folded.revision + events.length) throw new Error(`${streamId} moved to revision ${revision}`);
      folded.state = events.reduce(decider.evolve, folded.state);
      folded.revision = revision;
      folded.lastHash = lastHash;
    } catch {
      this.cache.delete(streamId);
      return;
    }
    this.keep(streamId, decider, folded);
  }

  /** Drops the stream's fold: the next load folds it again from the store. */
  forget(streamId: string): void {
    this.cache.delete(streamId);
  }

  /** Resolves once every snapshot save already planned has finished (or given up). */
  async snapshotsSaved(): Promise<void> {
    while (this.saving.size > 0) await Promise.all(this.saving.values());
  }

  /** Where a fold starts when no fold is cached: the stream's snapshot if it can be trusted, else nothing. */
  private async start<E extends LedgerEvent, S>(streamId: string, decider: Fold<E, S>): Promise<Held<S>> {
    const every = this.keeper?.every ?? Number.POSITIVE_INFINITY;
    const restored = decider.snapshot && (await this.keeper?.restore(streamId, decider.snapshot));
    if (restored) return { ...restored, nextSnapshotAt: restored.revision + every };
    return { state: decider.initialState(), revision: -1, lastHash: null, nextSnapshotAt: every - 1 };
  }

  /** Caches the fold and, for a stream this many events past its last snapshot, plans a new one. */
  private keep<E extends LedgerEvent, S>(streamId: string, decider: Fold<E, S>, folded: Held<S>): void {
    this.cache.set(streamId, folded);
    const codec = decider.snapshot;
    if (!this.keeper || !codec || folded.revision < folded.nextSnapshotAt || this.saving.has(streamId)) return;
    // Saved after the command that got here is answered, under the stream's lock like any use of it.
    const saved = nextTurn()
      .then(() => this.exclusive(streamId, () => this.save(streamId, codec)))
      .catch(() => undefined) // derived state: a snapshot not saved only costs a longer fold
      .finally(() => this.saving.delete(streamId));
    this.saving.set(streamId, saved);
  }

  private async save<S>(streamId: string, codec: SnapshotCodec<S>): Promise<void> {
    const folded = this.cache.get(streamId) as Held<S> | undefined;
    if (!this.keeper || !folded || folded.revision < folded.nextSnapshotAt) return;
    // A save that fails is tried again only after as many events again.
    folded.nextSnapshotAt = folded.revision + this.keeper.every;
    const saved = await this.keeper.save(streamId, folded, codec);
    // A meeting's state does not shrink: one too large to save is not serialised again while cached.
    if (!saved) folded.nextSnapshotAt = Number.POSITIVE_INFINITY;
  }

  /**
   * Folds the events after `folded.revision` a page at a time, each page in a turn of the event loop
   * of its own (the first one too with `waitFirst`): a stream of 100,000 events must not hold every
   * other request for the whole fold, nor ten folds at once ten pages in one turn (see fairTurns).
   */
  private async foldNewer<E extends LedgerEvent, S>(
    streamId: string,
    decider: Fold<E, S>,
    folded: Folded<S>,
    { waitFirst }: { waitFirst: boolean },
  ) {
    for (let first = true; ; first = false) {
      if (!first || waitFirst) await yieldToEventLoop();
      const from = folded.revision + 1;
      const page = await this.store.readStream(streamId, { fromRevision: from, maxCount: this.pageSize });
      for (const event of page) {
        folded.state = decider.evolve(folded.state, toLedgerEvent(event.type, event.data) as E);
      }
      const last = page.at(-1);
      if (last) {
        folded.revision = last.revision;
        folded.lastHash = eventHash(last);
      }
      if (page.length < this.pageSize) return;
    }
  }
}
