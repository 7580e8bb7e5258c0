import { toLedgerEvent } from '../domain/events.js';
import type { RecordedEvent } from '../eventStore/eventStore.js';
import type { ProjectedEvent } from './projection.js';

/** A stored event as projections see it; throws on an event type or shape the domain does not know. */
export const toProjectedEvent = (recorded: RecordedEvent): ProjectedEvent => ({
  ...toLedgerEvent(recorded.type, recorded.data),
  position: recorded.position,
  recordedAt: recorded.recordedAt,
  streamId: recorded.streamId,
});
