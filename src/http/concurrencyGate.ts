import { HttpProblem } from './problem.js';

export type GateLimits = { perCaller: number; total: number };

/**
 * Bounds how many of one kind of long or heavy request (a live stream, an export, a verification)
 * run at once: per caller, so one client can never take them all, and in total, so together they
 * can never starve the secretariat. Beyond a bound a request is refused at once, never queued:
 * 429 when the caller has its share, 503 when the ledger has no room, both with Retry-After.
 */
export class ConcurrencyGate {
  private readonly byCaller = new Map<string, number>();
  private running = 0;

  constructor(
    private readonly what: string,
    private readonly limits: GateLimits,
    private readonly retryAfterSeconds = 5,
  ) {}

  /** Takes a place for `caller`; the function it returns gives it back (once, whatever happens). */
  enter(caller: string): () => void {
    const mine = this.byCaller.get(caller) ?? 0;
    if (mine >= this.limits.perCaller) {
      throw new HttpProblem(
        429,
        'too-many-concurrent',
        `Too many ${this.what} at once`,
        `At most ${this.limits.perCaller} ${this.what} at once for one caller; close one or retry later`,
        { limit: this.limits.perCaller },
        this.retryAfterSeconds,
      );
    }
    if (this.running >= this.limits.total) {
      throw new HttpProblem(
        503,
        'overloaded',
        `The ledger runs as many ${this.what} as it can`,
        `At most ${this.limits.total} ${this.what} at once; retry later`,
        { limit: this.limits.total },
        this.retryAfterSeconds,
      );
    }
    this.byCaller.set(caller, mine + 1);
    this.running += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running -= 1;
      const left = (this.byCaller.get(caller) ?? 1) - 1;
      if (left === 0) this.byCaller.delete(caller);
      else this.byCaller.set(caller, left);
    };
  }

  get size(): number {
    return this.running;
  }
}
