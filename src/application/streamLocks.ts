/**
 * One command at a time per stream, within this process. Concurrent commands on one meeting would
 * otherwise all decide on the same revision and all but one lose the race in every group commit;
 * queued, each decides on its predecessor's result. Other processes are still fenced by the
 * expected-revision check, and the handler's bounded retry covers those races.
 */
export class StreamLocks {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(streamId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(streamId) ?? Promise.resolve();
    let release!: () => void;
    const current = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => current);
    this.tails.set(streamId, tail);
    await previous;
    try {
      return await work();
    } finally {
      release();
      if (this.tails.get(streamId) === tail) this.tails.delete(streamId);
    }
  }
}
