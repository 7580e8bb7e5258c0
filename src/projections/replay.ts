import type { EventStore } from '../eventStore/eventStore.js';
import { readLog } from '../eventStore/readLog.js';
import { handles, type Projection } from './projection.js';
import { toProjectedEvent } from './projectedEvent.js';

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
  for await (const recorded of readLog(store)) {
    if (recorded.position > until) break;
    position = recorded.position;
    if (handles(projection, recorded.type)) state = projection.evolve(state, toProjectedEvent(recorded));
  }
  return { state, position };
};
