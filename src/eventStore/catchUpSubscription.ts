import type { AppendSignal } from './appendSignal.js';
import { StoreClosed, StoreUnavailable } from './errors.js';
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
 * A store that is unavailable for a while (a database restarting) delays the subscription rather
 * than ending it: it waits and reads again from where it was, so followers recover by themselves.
 */
export const catchUpSubscription = (source: CatchUpSource, after = 0, pageSize = 500): Subscription => {
  const stop = new AbortController();

  async function* messages(): AsyncGenerator<SubscriptionMessage> {
    let position = after;
    let live = false;
    while (!stop.signal.aborted) {
      const seen = source.signal.current;
      const page = await readOrWait(source, { after: position, maxCount: pageSize }, stop.signal);
      if (page === 'closed') return;
      if (page === undefined) continue; // the store was unavailable: waited, now read again from the same position
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

const MAX_WAIT_MS = 5_000;

/** One page; 'closed' once the store was closed; or undefined after waiting out an unavailable store (the retry delay it asked for, at most 5 s). */
const readOrWait = async (
  source: CatchUpSource,
  options: { after: number; maxCount: number },
  stop: AbortSignal,
): Promise<RecordedEvent[] | undefined | 'closed'> => {
  try {
    return await source.readAll(options);
  } catch (error) {
    if (error instanceof StoreClosed) return 'closed';
    if (!(error instanceof StoreUnavailable)) throw error;
    const waitMs = Math.min(MAX_WAIT_MS, Math.max(100, error.retryAfterSeconds * 1000));
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, waitMs);
      stop.addEventListener('abort', done, { once: true });
      function done() {
        clearTimeout(timer);
        stop.removeEventListener('abort', done);
        resolve();
      }
    });
    return undefined;
  }
};
