import type { AppendSignal } from './appendSignal.js';
import type { RecordedEvent, Subscription, SubscriptionMessage } from './eventStore.js';
import { yieldToEventLoop } from './readLog.js';

export type CatchUpSource = {
  readAll: (options: { after: number; maxCount: number }) => Promise<RecordedEvent[]>;
  signal: AppendSignal;
  /** How long to wait for a wake-up before reading again anyway (writers in other processes). */
  pollMs: number;
};

/**
 * A catch-up subscription built on `readAll` and an append signal: pages through history, says
 * `caughtUp` once, then follows live appends. Position-ordered and gap-free as long as the store
 * makes events visible in position order, which the SQLite adapter does by serialising writes.
 */
export const catchUpSubscription = (source: CatchUpSource, after = 0, pageSize = 500): Subscription => {
  const stop = new AbortController();

  async function* messages(): AsyncGenerator<SubscriptionMessage> {
    let position = after;
    let live = false;
    while (!stop.signal.aborted) {
      const seen = source.signal.current;
      const page = await source.readAll({ after: position, maxCount: pageSize });
      for (const event of page) {
        if (stop.signal.aborted) return;
        position = event.position;
        yield { type: 'event', event };
      }
      if (page.length === pageSize) {
        // Catching up on a long log: let the event loop serve requests between pages.
        await yieldToEventLoop();
        continue;
      }
      if (!live) {
        live = true;
        yield { type: 'caughtUp', position };
      }
      await source.signal.wait(seen, stop.signal, source.pollMs);
    }
  }

  const iterator = messages();
  return {
    [Symbol.asyncIterator]: () => iterator,
    unsubscribe: async () => {
      stop.abort();
      await iterator.return(undefined);
    },
  };
};
