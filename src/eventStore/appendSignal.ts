/**
 * Wakes subscribers when appends commit. A generation counter closes the race between "read found
 * nothing new" and "start waiting": a subscriber waits only if nothing committed since it last read.
 */
export class AppendSignal {
  private generation = 0;
  private waiters = new Set<() => void>();

  get current(): number {
    return this.generation;
  }

  notify(): void {
    this.generation += 1;
    for (const wake of this.waiters) wake();
    this.waiters.clear();
  }

  /** Resolves when a commit happened after `since`, after `timeoutMs` (a poll, for writers in other processes), or on abort. */
  wait(since: number, signal: AbortSignal, timeoutMs: number): Promise<void> {
    if (this.generation !== since || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      signal.addEventListener('abort', done, { once: true });
      this.waiters.add(done);
    });
  }
}
