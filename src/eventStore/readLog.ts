import type { EventStore, RecordedEvent } from './eventStore.js';
import { yieldToEventLoop } from './fairTurns.js';

const PAGE = 2_000;

/**
 * Every event of the log after `after`, in position order, read a page at a time and yielding to
 * the event loop between pages, so that a long walk (replay, verify, export) never blocks requests.
 */
export async function* readLog(store: EventStore, after = 0): AsyncGenerator<RecordedEvent> {
  for (let position = after; ;) {
    const page = await store.readAll({ after: position, maxCount: PAGE });
    yield* page;
    if (page.length < PAGE) return;
    position = page.at(-1)?.position ?? position;
    await yieldToEventLoop();
  }
}
