import { eventHash } from '../audit/canonical.js';
import { eventCatalog, type EventMetadata, type LedgerEvent } from '../domain/events.js';
import type { NewEvent } from '../eventStore/eventStore.js';
import type { CommandContext } from './commandHandler.js';
import { eventIdFor } from './eventIds.js';

/**
 * Wraps decided events for the store: ids derived from the command, the command's metadata, and
 * each event's link in its stream's hash chain. The writer can set the link because it appends at
 * an expected revision: it knows which event comes before, and hashes only what it writes itself.
 * `lastHash` is the hash of the last event wrapped (the stream's next link once they are appended),
 * so that nobody needs to read them back to hash them again.
 */
export const envelopes = (
  events: readonly LedgerEvent[],
  context: CommandContext,
  stream: { streamId: string; revision: number; lastHash: string | null },
): { events: NewEvent[]; lastHash: string | null } => {
  let prevHash = stream.lastHash;
  const wrapped = events.map((event, index) => {
    const metadata: EventMetadata = {
      commandId: context.commandId,
      correlationId: context.correlationId,
      causationId: context.causationId,
      actor: context.actor,
      recordedAt: context.receivedAt,
      schemaVersion: eventCatalog[event.type].schemaVersion,
      prevHash,
      ...(context.illustrative && { illustrative: true }),
    };
    const envelope = { eventId: eventIdFor(context.commandId, index), type: event.type, data: event.data, metadata };
    prevHash = eventHash({ ...envelope, streamId: stream.streamId, revision: stream.revision + index + 1 });
    return envelope;
  });
  return { events: wrapped, lastHash: prevHash };
};
