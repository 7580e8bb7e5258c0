/** A stream folded up to `revision`, with the hash of its last event (the next event's chain link). */
export type Folded<S> = { state: S; revision: number; lastHash: string | null };

/**
 * Recently folded streams, least recently used evicted first. States are immutable values (every
 * `evolve` returns a new one), so handing the same object to two commands is safe.
 */
export class StreamCache {
  private readonly entries = new Map<string, Folded<unknown>>();

  constructor(private readonly capacity: number) {}

  get<S>(streamId: string): Folded<S> | undefined {
    const entry = this.entries.get(streamId);
    if (!entry) return undefined;
    this.entries.delete(streamId);
    this.entries.set(streamId, entry);
    return entry as Folded<S>;
  }

  delete(streamId: string): void {
    this.entries.delete(streamId);
  }

  /** Keeps the furthest fold: a slower concurrent load never replaces a newer state with an older one. */
  set(streamId: string, entry: Folded<unknown>): void {
    const current = this.entries.get(streamId);
    if (current && current.revision > entry.revision) return;
    this.entries.delete(streamId);
    this.entries.set(streamId, entry);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }
}
