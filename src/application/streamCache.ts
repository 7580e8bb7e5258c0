import { RecentlyUsed } from './recentlyUsed.js';

/** A stream folded up to `revision`, with the hash of its last event (the next event's chain link). */
export type Folded<S> = { state: S; revision: number; lastHash: string | null };

/**
 * Recently folded streams, bounded (see RecentlyUsed). An entry is the live fold of its stream,
 * advanced in place by whoever holds the stream's lock (FoldedStreams): never hand one out to
 * anyone else.
 */
export class StreamCache<Entry> {
  private readonly entries: RecentlyUsed<Entry>;

  constructor(capacity: number) {
    this.entries = new RecentlyUsed(capacity);
  }

  get(streamId: string): Entry | undefined {
    return this.entries.get(streamId);
  }

  set(streamId: string, entry: Entry): void {
    this.entries.set(streamId, entry);
  }

  delete(streamId: string): void {
    this.entries.delete(streamId);
  }
}
