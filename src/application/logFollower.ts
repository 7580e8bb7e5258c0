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
  private retry: { timer: NodeJS.Timeout; resolve: () => void } | undefined;
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
    if (this.retry) {
      clearTimeout(this.retry.timer);
      this.retry.resolve();
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
      const failed = await this.feed(subscription);
      await subscription.unsubscribe();
      if (!failed) this.idle();
      if (failed && !this.stopped) await this.pause();
    }
  }

  /** Feeds pages until stopped; true when a consumer failed to commit and the read must start again. */
  private async feed(subscription: LogSubscription): Promise<boolean> {
    for await (const message of subscription) {
      if (this.stopped) return false;
      const failed =
        message.type === 'events'
          ? this.each((consumer) => consumer.apply(message.events))
          : this.each((consumer) => consumer.idle?.()); // the log's end, for now: commit
      if (failed) return true;
      if (message.type === 'caughtUp') {
        if (this.each((consumer) => consumer.caughtUp?.(message.position))) return true;
        this.markCaughtUp();
      }
    }
    return false;
  }

  /** Does `work` with every active consumer; true when one could not commit (it kept its last committed position). */
  private each(work: (consumer: LogConsumer) => void): boolean {
    for (const consumer of this.consumers) {
      if (!consumer.active()) continue;
      try {
        work(consumer);
      } catch (error) {
        // Read again from where it stands, after a pause.
        this.options.onError?.(consumer.name, error);
        return true;
      }
    }
    return false;
  }

  /** Lets every consumer commit what it holds (stopping, or at the log's end). */
  private idle(): void {
    this.each((consumer) => consumer.idle?.());
  }

  private pause(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.retry = undefined;
        resolve();
      }, this.options.retryMs ?? 1_000);
      this.retry = { timer, resolve };
    });
  }
}
