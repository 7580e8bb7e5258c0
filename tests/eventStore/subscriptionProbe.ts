import type { RecordedEvent, Subscription, SubscriptionMessage } from '../../src/eventStore/eventStore.js';

const TIMED_OUT = Symbol('timed out');

/**
 * Resolves with `promise`, or rejects naming `what` if it has not settled within `timeoutMs`. The
 * bound is a failure, never a wait: a healthy store settles long before it.
 */
export const settlesWithin = async <T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), timeoutMs);
  });
  try {
    const outcome = await Promise.race([promise, deadline]);
    if (outcome === TIMED_OUT) throw new Error(`Gave up after ${timeoutMs} ms waiting for ${what}`);
    return outcome;
  } finally {
    clearTimeout(timer);
  }
};

const describeMessage = (message: SubscriptionMessage): string =>
  message.type === 'caughtUp'
    ? `caughtUp@${message.position}`
    : `${message.event.streamId}#${message.event.revision}@${message.event.position}`;

/**
 * Reads a subscription one message at a time, keeping everything it received, until a condition
 * over all of it holds or a deadline passes. It keeps one iterator (a for-await loop would end the
 * subscription on leaving it) and never drops a message whose read outlived a deadline.
 */
export class SubscriptionProbe {
  readonly received: SubscriptionMessage[] = [];
  private readonly iterator: AsyncIterator<SubscriptionMessage>;
  private pending: Promise<IteratorResult<SubscriptionMessage>> | undefined;
  private ended = false;

  constructor(subscription: Subscription) {
    this.iterator = subscription[Symbol.asyncIterator]();
  }

  /** The events received, optionally only those of `streams`. */
  events(streams?: ReadonlySet<string>): RecordedEvent[] {
    return this.received.flatMap((message) =>
      message.type === 'event' && (!streams || streams.has(message.event.streamId)) ? [message.event] : [],
    );
  }

  async until(
    condition: (probe: SubscriptionProbe) => boolean,
    what: string,
    timeoutMs = 5_000,
  ): Promise<SubscriptionMessage[]> {
    const deadline = Date.now() + timeoutMs;
    while (!condition(this)) {
      const seen = () =>
        `${this.received.length} messages: ${this.received.slice(-20).map(describeMessage).join(', ')}`;
      if (this.ended) throw new Error(`The subscription ended before ${what}; after ${seen()}`);
      this.pending ??= this.iterator.next();
      const result = await settlesWithin(this.pending, Math.max(0, deadline - Date.now()), `${what}; had ${seen()}`);
      this.pending = undefined;
      if (result.done) this.ended = true;
      else this.received.push(result.value);
    }
    return this.received;
  }

  /** Waits for the subscription's `caughtUp` message. */
  caughtUp(timeoutMs?: number): Promise<SubscriptionMessage[]> {
    return this.until((probe) => probe.received.some((m) => m.type === 'caughtUp'), 'caughtUp', timeoutMs);
  }
}
