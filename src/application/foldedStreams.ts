import { setImmediate as nextTurn } from 'node:timers/promises';
import { eventHash } from '../audit/canonical.js';
import { toLedgerEvent, type LedgerEvent } from '../domain/events.js';
import type { EventStore } from '../eventStore/eventStore.js';
import type { Fold } from './decider.js';
import { StreamCache, type Folded } from './streamCache.js';
import { StreamLocks } from './streamLocks.js';

/**
 * The folded states of streams, each with one holder at a time. States are updated in place, so
 * every use of one (a command, a read) runs inside `exclusive` for its stream, and a state is only
 * advanced by events the store has accepted. Streams only grow, so a fold stays true up to its
 * revision: a fold only ever needs the events after it.
 */
export class FoldedStreams {
  private readonly cache: StreamCache;
  private readonly locks = new StreamLocks();
  private readonly pageSize: number;

  /** `foldPageSize`: events read and folded per turn of the event loop (a few milliseconds' work). */
  constructor(
    private readonly store: EventStore,
    options: { cachedStreams?: number; foldPageSize?: number } = {},
  ) {
    this.cache = new StreamCache(options.cachedStreams ?? 10_000);
    this.pageSize = options.foldPageSize ?? 500;
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
  ): Promise<Folded<S>> {
    const cached = this.cache.get<S>(streamId);
    if (cached && !catchUp) return cached;
    const folded = cached ?? { state: decider.initialState(), revision: -1, lastHash: null };
    try {
      await this.foldNewer(streamId, decider, folded);
    } catch (error) {
      this.cache.delete(streamId); // a fold that stopped half-way is no fold at all
      throw error;
    }
    if (folded.revision >= 0) this.cache.set(streamId, folded);
    return folded;
  }

  /**
   * Moves a fold on by the events its holder just appended (their last hash computed when they were
   * wrapped), without reading them back. Anything unexpected drops the fold: the store has the truth.
   */
  advance<E extends LedgerEvent, S>(
    streamId: string,
    decider: Fold<E, S>,
    folded: Folded<S>,
    appended: { events: readonly E[]; revision: number; lastHash: string | null },
  ): void {
    const { events, revision, lastHash } = appended;
    if (events.length === 0) return;
    try {
      if (revision !== folded.revision + events.length) throw new Error(`${streamId} moved to revision ${revision}`);
      folded.state = events.reduce(decider.evolve, folded.state);
      folded.revision = revision;
      folded.lastHash = lastHash;
      this.cache.set(streamId, folded);
    } catch {
      this.cache.delete(streamId);
    }
  }

  /** Drops the stream's fold: the next load folds it again from the store. */
  forget(streamId: string): void {
    this.cache.delete(streamId);
  }

  /**
   * Folds the events after `folded.revision` a page at a time, giving the event loop a turn between
   * pages: a stream of 100,000 events must not hold every other request for the whole fold.
   */
  private async foldNewer<E extends LedgerEvent, S>(streamId: string, decider: Fold<E, S>, folded: Folded<S>) {
    for (;;) {
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
      await nextTurn();
    }
  }
}
