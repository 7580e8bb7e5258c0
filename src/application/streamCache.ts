/** A stream folded up to `revision`, with the hash of its last event (the next event's chain link). */
export type Folded<S> = { state: S; revision: number; lastHash: string | null };

/**
 * Recently folded streams, least recently used evicted first. An entry is the live fold of its
 * stream, advanced in place by whoever holds the stream's lock (FoldedStreams): never hand one out
 * to anyone else.
 */
export class StreamCache<Entry> {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly capacity: number) {}

  get(streamId: string): Entry | undefined {
    const entry = this.entries.get(streamId);
    if (entry === undefined) return undefined;
    this.entries.delete(streamId);
    this.entries.set(streamId, entry);
    return entry;
  }

  set(streamId: string, entry: Entry): void {
    this.entries.delete(streamId);
    this.entries.set(streamId, entry);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  delete(streamId: string): void {
    this.entries.delete(streamId);
  }
}
