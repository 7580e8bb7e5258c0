import type { AppendSignal } from './appendSignal.js';
import { StoreClosed, StoreUnavailable } from './errors.js';
import type { LogMessage, LogSubscription, StoredEvent, Subscription, SubscriptionMessage } from './eventStore.js';
import { yieldToEventLoop } from './fairTurns.js';
import { recordedFromStored } from './storedRows.js';

export type CatchUpSource = {
  readAllStored: (options: { after: number; maxCount: number }) => Promise<StoredEvent[]>;
  signal: AppendSignal;
  /** How long to wait for a wake-up before reading again anyway (writers in other processes). */
  pollMs: number;
};

const DEFAULT_PAGE = 500;

/**
 * A catch-up subscription over stored pages, built on `readAllStored` and an append signal: pages
 * through history, says `caughtUp` once, then follows live appends. Position-ordered and gap-free as
 * long as the store makes events visible in position order (SQLite and PostgreSQL serialise writes).
 * A store that is unavailable for a while (a database restarting) delays the subscription rather
 * than ending it: it waits and reads again from where it was, so followers recover by themselves.
 * Between full pages it yields to the event loop, so a long catch-up never starves requests.
 */
export const catchUpLog = (source: CatchUpSource, after = 0, pageSize = DEFAULT_PAGE): LogSubscription => {
  const stop = new AbortController();

  async function* messages(): AsyncGenerator<LogMessage> {
    let position = after;
    let live = false;
    while (!stop.signal.aborted) {
      const seen = source.signal.current;
      const page = await readOrWait(source, { after: position, maxCount: pageSize }, stop.signal);
      if (page === 'closed' || stop.signal.aborted) return;
      if (page === undefined) continue; // the store was unavailable: waited, now read again from the same position
      if (page.length > 0) {
        position = page.at(-1)?.position ?? position;
        yield { type: 'events', events: page };
      }
      if (page.length === pageSize) {
        await yieldToEventLoop();
        continue;
      }
      if (!live) {
        live = true;
        yield { type: 'caughtUp', position };
      }
      yield { type: 'waiting', position };
      await source.signal.wait(seen, stop.signal, source.pollMs);
    }
  }

  return ended(messages(), () => stop.abort());
};

/**
 * The per-event view of a page subscription: each stored event parsed as it is handed out, so an
 * unsubscribe in the middle of a page delivers nothing more.
 */
export const eventsOf = (pages: LogSubscription): Subscription => {
  let stopped = false;
  async function* messages(): AsyncGenerator<SubscriptionMessage> {
    for await (const message of pages) {
      if (message.type === 'waiting') continue;
      if (message.type === 'caughtUp') {
        yield message;
        continue;
      }
      for (const stored of message.events) {
        if (stopped) return;
        yield { type: 'event', event: recordedFromStored(stored) };
      }
    }
  }
  const iterator = messages();
  return {
    [Symbol.asyncIterator]: () => iterator,
    unsubscribe: async () => {
      stopped = true;
      await pages.unsubscribe();
      await iterator.return(undefined);
    },
  };
};

/** The per-event catch-up subscription of a source (see catchUpLog). */
export const catchUpSubscription = (source: CatchUpSource, after = 0, pageSize = DEFAULT_PAGE): Subscription =>
  eventsOf(catchUpLog(source, after, pageSize));

const ended = <M>(iterator: AsyncGenerator<M>, abort: () => void) => ({
  [Symbol.asyncIterator]: () => iterator,
  unsubscribe: async () => {
    abort();
    await iterator.return(undefined);
  },
});

const MAX_WAIT_MS = 5_000;

/** One page; 'closed' once the store was closed; or undefined after waiting out an unavailable store (the retry delay it asked for, at most 5 s). */
const readOrWait = async (
  source: CatchUpSource,
  options: { after: number; maxCount: number },
  stop: AbortSignal,
): Promise<StoredEvent[] | undefined | 'closed'> => {
  try {
    return await source.readAllStored(options);
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
