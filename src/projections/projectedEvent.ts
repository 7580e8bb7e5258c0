import { toLedgerEvent } from '../domain/events.js';
import type { StoredEvent } from '../eventStore/eventStore.js';
import type { ProjectedEvent } from './projection.js';

/**
 * A stored event as projections see it: only its payload is parsed (projections never read the
 * metadata), and checked against the domain's schema. Throws on a type or shape the domain does
 * not know.
 */
export const toProjectedEvent = (stored: StoredEvent): ProjectedEvent => ({
  ...toLedgerEvent(stored.type, JSON.parse(stored.data)),
  position: stored.position,
  recordedAt: stored.recordedAt,
  streamId: stored.streamId,
});
