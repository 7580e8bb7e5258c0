import type { EventStore, LogSubscription, StoredEvent } from '../eventStore/eventStore.js';

/**
 * Something that keeps derived state from the log (the projections, the audit log's tree): it
 * remembers the last position it committed and applies the events after it, a page at a time.
 */
export interface LogConsumer {
  readonly name: string;
  /** The last position applied and committed; 0 before anything was. */
  position(): number;
  /** False once it stopped for good (a projection that cannot apply an event): it is fed no more. */
  active(): boolean;
  /**
   * Applies the events of `page` after its position and commits them with the new position, all or
   * nothing. Synchronous: a page is bounded, so one apply holds the event loop only briefly.
   */
  apply(page: readonly StoredEvent[]): void;
  /** The follower has read every event that was in the log when it started (or when it caught up again). */
  caughtUp?(position: number): void;
  /**
   * Nothing more to feed right now (the log's end was reached, or the follower stops): a consumer
   * that holds applied events uncommitted, to commit many pages at once, commits them now.
   */
  idle?(): void;
  /**
   * Asked after each page: a promise to await before the next one when the consumer must let
   * something catch up first (its database's write-ahead log copied back), else nothing.
   */
  backpressure?(): Promise<void> | undefined;
  /**
   * What it holds that the log no longer does, if anything, beyond a checkpoint past the log's head
   * (which the follower checks itself): the audit log compares its last leaf with that event. Cheap:
   * at most one event read.
   */
  divergence?(log: EventStore): Promise<string | undefined>;
  /**
   * Forgets everything derived from the log, to be fed again from zero (the log diverged from it);
   * answers what it kept aside, if anything. Called between reads, never while a page is applied.
   */
  reset?(why: string): string | undefined;
}

/** The log no longer holds what its consumers were fed (a restore from an older copy, a replaced database). */
export type Divergence = {
  head: number;
  /** Where each consumer stood. */
  positions: Record<string, number>;
  problems: string[];
  /** What the consumers kept aside while resetting. */
  keptAside: string[];
};

/** A catch-up that ended because a consumer could not commit (see `stopOnFailure`). */
export class CatchUpFailed extends Error {
  constructor(consumer: string, cause: unknown) {
    super(`${consumer} could not apply the log: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'CatchUpFailed';
  }
}

export type LogFollowerOptions = {
  /** Events per page: what one apply holds the event loop for. */
  pageSize?: number;
  /** How long to wait before reading again after a consumer could not commit (a full disk). */
  retryMs?: number;
  /**
   * A run that only catches up (a CLI command): a consumer that cannot commit ends it, `caughtUp`
   * rejecting with its error, instead of being fed again every `retryMs` for as long as it fails.
   */
  stopOnFailure?: boolean;
  onError?: (consumer: string, error: unknown) => void;
  /** Every consumer was reset after the log diverged from them: say so loudly. */
  onDivergence?: (divergence: Divergence) => void;
  /** How often, at most, the follower checks the log against its consumers while it follows it, ms. */
  checkEveryMs?: number;
};

/**
 * One read of the log for every consumer: a single subscription from the position of the consumer
 * furthest behind, each page handed to every active consumer, which skips what it already has. A
 * projection rebuilt from zero thus shares the read with the audit log, and a restart reads the log
 * once, not once per consumer.
 *
 * Before each read, and every `checkEveryMs` while it waits at the log's end, it checks that the log
 * still holds what its consumers were fed (see `reconcile`): a ledger restored from an older copy is
 * then rebuilt from, never served as if nothing had happened.
 */
export class LogFollower {
  private subscription: LogSubscription | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private pausing: { timer: NodeJS.Timeout; resolve: () => void } | undefined;
  /**
   * Consumers that could not commit: until when they wait, and the last read they sit out (the one
   * they failed on, or a later one that started before they had waited enough). A consumer is fed
   * again only from the first page of a read: the read it failed on has moved past the page it lost,
   * so feeding it a later page of that read would skip one.
   */
  private readonly benched = new Map<LogConsumer, { until: number; read: number }>();
  /** Counts the reads of the log (subscriptions) this follower has opened. */
  private read = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private retrying = false;
  private markCaughtUp: () => void = () => undefined;
  private failCaughtUp: (error: unknown) => void = () => undefined;
  private checkedAt = 0;
  private diverged = false;
  /**
   * Resolves once every consumer holds every event that was in the log when the follower started;
   * with `stopOnFailure`, rejects with the error of the first consumer that could not commit.
   */
  readonly caughtUp = new Promise<void>((resolve, reject) => {
    this.markCaughtUp = resolve;
    this.failCaughtUp = reject;
  });

  constructor(
    private readonly store: EventStore,
    private readonly consumers: readonly LogConsumer[],
    private readonly options: LogFollowerOptions = {},
  ) {
    // Rejected only with stopOnFailure, for whoever waits; a run nobody waits on must not crash the process.
    this.caughtUp.catch(() => undefined);
  }

  start(): void {
    this.running ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    if (this.pausing) {
      clearTimeout(this.pausing.timer);
      this.pausing.resolve();
    }
    await this.subscription?.unsubscribe();
    await this.running;
    clearTimeout(this.retryTimer); // a commit that failed as the run ended benched its consumer again
  }

  /** The lowest position among consumers still fed: where the one read must start. */
  private from(): number {
    const positions = this.consumers.filter((c) => c.active()).map((c) => c.position());
    return positions.length === 0 ? Number.MAX_SAFE_INTEGER : Math.min(...positions);
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      await this.reconcileOrReport();
      const after = this.from();
      if (after === Number.MAX_SAFE_INTEGER) {
        this.markCaughtUp(); // nobody left to feed
        return;
      }
      const subscription = this.store.subscribeToAllStored({ after, pageSize: this.options.pageSize ?? 500 });
      this.subscription = subscription;
      this.retrying = false;
      this.startRead();
      await this.feed(subscription);
      await subscription.unsubscribe();
      // What was applied is committed, whatever ended the read.
      this.each((consumer) => consumer.idle?.());
      // Ended to feed a benched consumer again, or because the log diverged: read again at once. Ended
      // by itself (the store closed): read again after a pause, never in a tight loop.
      if (!this.stopped && !this.retrying && !this.diverged) await this.pause();
      this.diverged = false;
    }
  }

  /** Feeds pages until the read ends (stopped, the store closed, or a benched consumer is due). */
  private async feed(subscription: LogSubscription): Promise<void> {
    for await (const message of subscription) {
      if (this.stopped) return;
      if (message.type === 'events') {
        this.each((consumer) => consumer.apply(message.events));
        const waits: Promise<void>[] = [];
        this.each((consumer) => {
          const wait = consumer.backpressure?.();
          if (wait) waits.push(wait);
        });
        if (waits.length > 0) await Promise.all(waits);
      } else this.each((consumer) => consumer.idle?.()); // the log's end, for now: commit
      if (message.type === 'caughtUp') {
        this.each((consumer) => consumer.caughtUp?.(message.position));
        if (this.benched.size === 0) this.markCaughtUp();
      }
      // At the log's end, now and then: has the log been replaced under the consumers?
      const due = Date.now() - this.checkedAt >= (this.options.checkEveryMs ?? 1_000);
      if (message.type === 'waiting' && due && (await this.reconcileOrReport())) {
        this.diverged = true;
        return;
      }
    }
  }

  /**
   * Checks that the log still holds what the consumers were fed: no consumer stands beyond its head,
   * and none reports a divergence of its own. If one does, every consumer is reset and fed again
   * from zero: a projection's checkpoint carries no hash, so once the log is known to differ from
   * what was derived from it, rebuilding all of it is the only answer known to be right (restores
   * are rare; a rebuild is a read of the log). Answers what it found; the caller then reads from zero.
   */
  async reconcile(): Promise<Divergence | undefined> {
    this.checkedAt = Date.now();
    const head = await this.store.headPosition();
    const problems: string[] = [];
    for (const consumer of this.consumers) {
      const at = consumer.position();
      if (at > head) problems.push(`${consumer.name} stands at position ${at}, beyond the log's last event at ${head}`);
      else {
        const problem = await consumer.divergence?.(this.store);
        if (problem) problems.push(`${consumer.name}: ${problem}`);
      }
    }
    if (problems.length === 0) return undefined;
    const positions = Object.fromEntries(this.consumers.map((c) => [c.name, c.position()]));
    const keptAside = this.consumers.flatMap((consumer) => consumer.reset?.(problems.join('; ')) ?? []);
    this.benched.clear();
    const divergence = { head, positions, problems, keptAside };
    this.options.onDivergence?.(divergence);
    return divergence;
  }

  /** `reconcile`, with a store that cannot answer reported and read past (the next check tries again). */
  private async reconcileOrReport(): Promise<boolean> {
    try {
      return (await this.reconcile()) !== undefined;
    } catch (error) {
      this.options.onError?.('follower', error);
      return false;
    }
  }

  /**
   * Does `work` with every consumer that is fed. One that throws could not commit: it keeps its last
   * committed position and sits out for a while, then the log is read again from there, while the
   * others go on without it. (A follower that has never caught up without failures is not caught up.)
   */
  private each(work: (consumer: LogConsumer) => void): void {
    for (const consumer of this.consumers) {
      if (!consumer.active() || !this.due(consumer)) continue;
      try {
        work(consumer);
        this.benched.delete(consumer);
      } catch (error) {
        this.options.onError?.(consumer.name, error);
        if (this.options.stopOnFailure) return this.giveUp(consumer, error);
        this.bench(consumer);
      }
    }
  }

  /** Ends the run: nothing more is read or fed, and whoever waits to catch up learns why. */
  private giveUp(consumer: LogConsumer, error: unknown): void {
    this.stopped = true;
    this.failCaughtUp(new CatchUpFailed(consumer.name, error));
    this.endRead();
  }

  /** Ends the current read (the loop in `run` then decides what comes next). */
  private endRead(): void {
    this.subscription?.unsubscribe().catch((error: unknown) => this.options.onError?.('follower', error));
  }

  /**
   * A new read starts: who has sat out long enough is fed on it, from the first page (it starts at
   * the lowest committed position); who has not sits all of it out. Deciding this once, never page by
   * page, is what keeps a consumer from being fed a page beyond one it missed in the middle of a read.
   */
  private startRead(): void {
    this.read += 1;
    const now = Date.now();
    for (const bench of this.benched.values()) if (bench.until > now) bench.read = this.read;
    this.retryLater();
  }

  /** Not sitting out: never failed, or sits out an earlier read only (see `startRead`). */
  private due(consumer: LogConsumer): boolean {
    const bench = this.benched.get(consumer);
    return bench === undefined || bench.read < this.read;
  }

  private bench(consumer: LogConsumer): void {
    this.benched.set(consumer, { until: Date.now() + (this.options.retryMs ?? 1_000), read: this.read });
    this.retryLater();
  }

  /** Ends the current read when the first consumer sitting it out is due, so that a new read feeds it. */
  private retryLater(): void {
    if (this.stopped || this.retryTimer) return;
    const waiting = [...this.benched.values()].filter((bench) => bench.read === this.read);
    if (waiting.length === 0) return;
    const delay = Math.max(0, Math.min(...waiting.map((bench) => bench.until)) - Date.now());
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.retrying = true;
      this.endRead();
    }, delay);
  }

  private pause(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pausing = undefined;
        resolve();
      }, this.options.retryMs ?? 1_000);
      this.pausing = { timer, resolve };
    });
  }
}
