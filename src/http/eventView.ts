import type { RecordedEvent } from '../eventStore/eventStore.js';

/** An event as the API shows it, in /v1/events, a meeting's events and the live feed alike. */
export const publicEvent = (e: RecordedEvent) => ({
  position: e.position,
  eventId: e.eventId,
  streamId: e.streamId,
  revision: e.revision,
  type: e.type,
  data: e.data,
  metadata: e.metadata,
  recordedAt: e.recordedAt,
});
