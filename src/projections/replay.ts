import type { EventStore } from '../eventStore/eventStore.js';
import { handles, type Projection } from './projection.js';
import { toProjectedEvent } from './projectedEvent.js';

const PAGE = 2_000;

/**
 * Rebuilds a projection from zero up to and including `until` (the whole log when absent), the way
 * an auditor replays history. `position` is the last event of the log at or before `until`.
 */
export const replay = async <S>(
  store: EventStore,
  projection: Projection<S>,
  until = Number.MAX_SAFE_INTEGER,
): Promise<{ state: S; position: number }> => {
  let state = projection.initialState();
  let position = 0;
  for (;;) {
    const page = await store.readAll({ after: position, maxCount: PAGE });
    for (const recorded of page) {
      if (recorded.position > until) return { state, position };
      position = recorded.position;
      if (handles(projection, recorded.type)) state = projection.evolve(state, toProjectedEvent(recorded));
    }
    if (page.length < PAGE) return { state, position };
    // A long replay must not starve the requests the server is answering meanwhile.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
};
