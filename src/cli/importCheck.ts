import { z } from 'zod';
import { canonicalBytes, hashOfCanonical } from '../audit/canonical.js';
import { leafHash } from '../audit/merkle.js';
import { eventCatalog, eventMetadataSchema, isLedgerEventType, streamOf, type LedgerEvent } from '../domain/events.js';
import { utcInstant } from '../domain/shared/values.js';

/** A line of an export refused, with its number: import says which and why, in one line, and appends nothing. */
export class ImportRefused extends Error {
  constructor(
    readonly line: number,
    reason: string,
  ) {
    super(`import refused, nothing was appended: line ${line}: ${reason}`);
  }
}

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 hash in hex');

/** One line of `export --format ndjson`: everything needed to append the event again, and the hashes to check it by. */
const exportedEvent = z.strictObject({
  position: z.number().int().min(1),
  streamId: z.string().min(1),
  revision: z.number().int().min(0),
  eventId: z.string().min(1).max(100),
  type: z.string(),
  data: z.unknown(),
  metadata: z.record(z.string(), z.unknown()),
  recordedAt: utcInstant,
  hash: hex64,
  leafHash: hex64,
});
export type ExportedEvent = z.infer<typeof exportedEvent>;

/**
 * How far ahead of this machine's clock a recorded time may be: clocks of the exporting and
 * importing machines differ a little; a time further ahead would pin every later commit's time
 * (the stores never let recorded time go back) and make `asOf=<instant>` answer wrongly.
 */
export const CLOCK_SKEW_MS = 5 * 60_000;

const firstIssue = (error: z.ZodError): string => {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || 'value'}: ${issue.message}` : 'invalid';
};

/**
 * Checks an export line by line, as the ledger would have written it: a known event type whose data
 * matches its schema, metadata of the ledger's shape at the type's schema version, the stream the
 * event belongs in, hashes recomputed from the content, each stream's chain (dense revisions,
 * prevHash = the previous event's hash), positions rising, recorded times valid, never going back
 * and not in the future, and each event id once. Values quoted in a reason are JSON, so a reason is
 * always one line.
 */
export class ImportCheck {
  private readonly chains = new Map<string, { revision: number; hash: string }>();
  private readonly eventIds = new Set<string>();
  private lastPosition = 0;
  private lastRecordedAt = '';

  constructor(private readonly now: Date) {}

  check(text: string, line: number): ExportedEvent {
    const refuse = (reason: string): never => {
      throw new ImportRefused(line, reason);
    };
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return refuse('not a JSON object');
    }
    const parsed = exportedEvent.safeParse(json);
    if (!parsed.success) return refuse(firstIssue(parsed.error));
    const e = parsed.data;
    this.checkEvent(e, refuse);
    this.checkHashes(e, refuse);
    this.checkOrder(e, refuse);
    return e;
  }

  private checkEvent(e: ExportedEvent, refuse: (reason: string) => never): void {
    if (!isLedgerEventType(e.type)) return refuse(`unknown event type ${JSON.stringify(e.type)}`);
    const { schema, schemaVersion } = eventCatalog[e.type];
    const data = schema.safeParse(e.data);
    if (!data.success) return refuse(`${e.type} data does not match its schema: ${firstIssue(data.error)}`);
    const metadata = eventMetadataSchema.safeParse(e.metadata);
    if (!metadata.success) return refuse(`metadata: ${firstIssue(metadata.error)}`);
    if (metadata.data.schemaVersion !== schemaVersion) {
      return refuse(`${e.type} at schema version ${metadata.data.schemaVersion}; this ledger knows ${schemaVersion}`);
    }
    const stream = streamOf({ type: e.type, data: data.data } as LedgerEvent);
    if (e.streamId !== stream)
      return refuse(`a ${e.type} of ${JSON.stringify(stream)} in ${JSON.stringify(e.streamId)}`);
    if (Date.parse(metadata.data.recordedAt) > this.now.getTime() + CLOCK_SKEW_MS) {
      return refuse(`metadata.recordedAt ${metadata.data.recordedAt} is in the future`);
    }
  }

  private checkHashes(e: ExportedEvent, refuse: (reason: string) => never): void {
    const bytes = canonicalBytes(e);
    if (hashOfCanonical(bytes) !== e.hash) return refuse('the event does not hash to the hash it carries');
    if (leafHash(bytes).toString('hex') !== e.leafHash) return refuse('the event does not match its leaf hash');
    const previous = this.chains.get(e.streamId);
    const expected = (previous?.revision ?? -1) + 1;
    if (e.revision !== expected) return refuse(`revision ${e.revision} of ${e.streamId} where ${expected} comes next`);
    if (e.metadata.prevHash !== (previous?.hash ?? null)) {
      return refuse(`prevHash does not match the hash of ${e.streamId}'s previous event`);
    }
    this.chains.set(e.streamId, { revision: e.revision, hash: e.hash });
  }

  private checkOrder(e: ExportedEvent, refuse: (reason: string) => never): void {
    if (e.position <= this.lastPosition) return refuse(`position ${e.position} after ${this.lastPosition}`);
    if (this.eventIds.has(e.eventId)) return refuse(`event id ${JSON.stringify(e.eventId)} a second time`);
    if (e.recordedAt < this.lastRecordedAt) {
      return refuse(`recordedAt ${e.recordedAt} before the previous event's ${this.lastRecordedAt}`);
    }
    if (Date.parse(e.recordedAt) > this.now.getTime() + CLOCK_SKEW_MS) {
      return refuse(`recordedAt ${e.recordedAt} is in the future`);
    }
    this.lastPosition = e.position;
    this.lastRecordedAt = e.recordedAt;
    this.eventIds.add(e.eventId);
  }
}
