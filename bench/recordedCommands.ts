import { ulid } from 'ulid';
import { eventIdFor } from '../src/application/eventIds.js';
import { eventHash } from '../src/audit/canonical.js';
import { eventCatalog, type EventMetadata, type LedgerEvent } from '../src/domain/events.js';
import type { NewEvent } from '../src/eventStore/eventStore.js';

/** The actor a secretariat token would record (role and the start of the token's digest). */
const ACTOR = 'secretariat#b3c4d5e6';

/** Where one stream's hash chain stands: its revision and the hash of its last event. */
type Chain = { revision: number; lastHash: string | null };

/**
 * Events as the server would have recorded them: one command per event, each with the metadata
 * `envelopes()` writes (command, correlation and causation ids, actor, received time, schema
 * version, the link in its stream's hash chain) and an event id derived from its command, at
 * recorded times that only rise along the log: what `audit verify` checks. The metadata is built
 * here rather than by calling `envelopes()`, which hashes each event too: the chain needs that hash
 * again for the next event, and hashing twice made generation a quarter slower. `EventMetadata`
 * keeps the two in step (a field added there fails to compile here).
 */
export class RecordedCommands {
  private readonly chains = new Map<string, Chain>();
  private lastMs = 0;

  /** `random`: the generator's seeded source, so ids are the same every run. */
  constructor(private readonly random: () => number) {}

  /** Wraps `events` for `streamId`, received at `ms` or just after the previous command, whichever is later. */
  record(streamId: string, events: readonly LedgerEvent[], ms: number): NewEvent[] {
    const chain = this.chains.get(streamId) ?? { revision: -1, lastHash: null };
    this.chains.set(streamId, chain);
    return events.map((event) => {
      this.lastMs = Math.max(ms, this.lastMs + 1);
      const receivedAt = new Date(this.lastMs).toISOString();
      const commandId = ulid(this.lastMs, this.random);
      const metadata: EventMetadata = {
        commandId,
        correlationId: ulid(this.lastMs, this.random),
        causationId: commandId,
        actor: ACTOR,
        recordedAt: receivedAt,
        schemaVersion: eventCatalog[event.type].schemaVersion,
        prevHash: chain.lastHash,
      };
      const wrapped = { eventId: eventIdFor(commandId, 0), type: event.type, data: event.data, metadata };
      chain.revision += 1;
      chain.lastHash = eventHash({ ...wrapped, streamId, revision: chain.revision });
      return { ...wrapped, recordedAt: receivedAt };
    });
  }

  /** Streams written once need no chain kept (a meeting of the mix is appended in one go). */
  forget(streamId: string): void {
    this.chains.delete(streamId);
  }
}
