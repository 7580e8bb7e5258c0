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
}

export type LogFollowerOptions = {
  /** Events per page: what one apply holds the event loop for. */
  pageSize?: number;
  /** How long to wait before reading again after a consumer could not commit (a full disk). */
  retryMs?: number;
  onError?: (consumer: string, error: unknown) => void;
};

/**
 * One read of the log for every consumer: a single subscription from the position of the consumer
 * furthest behind, each page handed to every active consumer, which skips what it already has. A
 * projection rebuilt from zero thus shares the read with the audit log, and a restart reads the log
 * once, not once per consumer.
 */
export class LogFollower {
  private subscription: LogSubscription | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private pausing: { timer: NodeJS.Timeout; resolve: () => void } | undefined;
  /** Consumers that could not commit, and until when they wait before being fed again. */
  private readonly benched = new Map<LogConsumer, number>();
  private retryTimer: NodeJS.Timeout | undefined;
  private retrying = false;
  private markCaughtUp: () => void = () => undefined;
  /** Resolves once every consumer holds every event that was in the log when the follower started. */
  readonly caughtUp = new Promise<void>((resolve) => (this.markCaughtUp = resolve));

  constructor(
    private readonly store: EventStore,
    private readonly consumers: readonly LogConsumer[],
    private readonly options: LogFollowerOptions = {},
  ) {}

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
  }

  /** The lowest position among consumers still fed: where the one read must start. */
  private from(): number {
    const positions = this.consumers.filter((c) => c.active()).map((c) => c.position());
    return positions.length === 0 ? Number.MAX_SAFE_INTEGER : Math.min(...positions);
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const after = this.from();
      if (after === Number.MAX_SAFE_INTEGER) {
        this.markCaughtUp(); // nobody left to feed
        return;
      }
      const subscription = this.store.subscribeToAllStored({ after, pageSize: this.options.pageSize ?? 500 });
      this.subscription = subscription;
      this.retrying = false;
      await this.feed(subscription);
      await subscription.unsubscribe();
      // What was applied is committed, whatever ended the read.
      this.each((consumer) => consumer.idle?.());
      // Ended to feed a benched consumer again: read again at once from its position. Ended by
      // itself (the store closed): read again after a pause, never in a tight loop.
      if (!this.stopped && !this.retrying) await this.pause();
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
    }
  }

  /**
   * Does `work` with every consumer that is fed. One that throws could not commit: it keeps its last
   * committed position and sits out for a while, then the log is read again from there, while the
   * others go on without it. (A follower that has never caught up without failures is not caught up.)
   */
  private each(work: (consumer: LogConsumer) => void): void {
    for (const consumer of this.consumers) {
      if (!consumer.active() || (this.benched.get(consumer) ?? 0) > Date.now()) continue;
      try {
        work(consumer);
        this.benched.delete(consumer);
      } catch (error) {
        this.options.onError?.(consumer.name, error);
        this.bench(consumer);
      }
    }
  }

  private bench(consumer: LogConsumer): void {
    const retryMs = this.options.retryMs ?? 1_000;
    this.benched.set(consumer, Date.now() + retryMs);
    this.retryTimer ??= setTimeout(() => {
      this.retryTimer = undefined;
      this.retrying = true;
      void this.subscription?.unsubscribe();
    }, retryMs);
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
