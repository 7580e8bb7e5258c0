import { eventHash, type AuditableEvent } from './canonical.js';

/** An event's place in its stream's chain: its revision and its chain hash (hex). */
export type ChainLink = { revision: number; hash: string };

type Seen = ChainLink & { position: number };

/** An event of the log as the chain check needs it. */
export type ChainedEvent = { streamId: string; revision: number; position: number; prevHash: unknown };

/** An event read back from the store, parsed, with its position. */
export type LookedUp = AuditableEvent & { position: number };

/** One event of a stream by revision, from the store; undefined when the stream has none there. */
export type StreamLookup = (streamId: string, revision: number) => LookedUp | undefined | Promise<LookedUp | undefined>;

/** The cache could not say which event comes before: the store must be asked. */
export const UNKNOWN = Symbol('unknown');

/** What is wrong with an event's place in its stream's chain, if anything. */
export const chainProblem = (event: ChainedEvent, previous: ChainLink | undefined): string | undefined => {
  const expectedRevision = (previous?.revision ?? -1) + 1;
  if (event.revision !== expectedRevision) {
    return `revision ${event.revision} where ${expectedRevision} was expected: an event is missing or moved`;
  }
  const link = event.prevHash;
  if (link !== (previous?.hash ?? null)) {
    return `prevHash ${String(link)} does not match the previous event's hash ${previous?.hash ?? 'null'}`;
  }
  return undefined;
};

/**
 * The previous event of each stream, as a verification that reads the log in order sees it: the
 * event of the same stream with the highest position below the one being checked. A bounded LRU
 * keeps the last event seen of recently active streams; on a miss the store is asked.
 *
 * Why a lookup by revision is enough: verification stops at the first break, so when it checks an
 * event at position p every event before p passed its own chain check, and the events of a stream
 * before p are exactly its revisions 0..k, a prefix. "Revision r lies before p" is thus true up to
 * k and false after it: k is found by asking for revision (this one - 1), the usual answer, or else
 * by a binary search. The same holds for a chunk of the log checked on its own, since a chunk is
 * only trusted once every chunk before it passed.
 */
export class ChainLinks {
  // An LRU in two generations: streams seen lately, and those seen in the generation before. A full
  // young generation becomes the old one, so at most `capacity` streams are kept and no entry is
  // ever moved, which costs a Map.set per event instead of a delete and a set.
  private young = new Map<string, Seen>();
  private old = new Map<string, Seen>();

  constructor(
    private readonly lookup: StreamLookup,
    private readonly capacity = 50_000,
  ) {}

  /** The previous link when the cache settles it (no previous for revision 0), else UNKNOWN. */
  known(event: ChainedEvent): ChainLink | undefined | typeof UNKNOWN {
    if (event.revision <= 0) return undefined;
    const last = this.young.get(event.streamId) ?? this.old.get(event.streamId);
    // Revision r - 1 lies before p, and revision r is this event: nothing of the stream lies between.
    if (last?.revision === event.revision - 1 && last.position < event.position) return last;
    return UNKNOWN;
  }

  /** The previous link, from the store: revision r - 1 if it lies before p, else the highest that does. */
  async lookUp(event: ChainedEvent): Promise<ChainLink | undefined> {
    const before = async (revision: number): Promise<LookedUp | undefined> => {
      const found = await this.lookup(event.streamId, revision);
      return found && found.position < event.position ? found : undefined;
    };
    // Usually revision r - 1; otherwise (an event missing or moved) the highest below it that lies before p.
    const found =
      (event.revision > 0 ? await before(event.revision - 1) : undefined) ??
      (await highestBefore(before, event.revision - 2));
    return found && { revision: found.revision, hash: eventHash(found) };
  }

  /** Remembers an event that passed its chain check as its stream's last. */
  remember(streamId: string, revision: number, hash: string, position: number): void {
    const entry = this.young.get(streamId);
    if (entry) {
      entry.revision = revision;
      entry.hash = hash;
      entry.position = position;
      return;
    }
    if (this.young.size >= this.capacity / 2) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(streamId, { revision, hash, position });
  }
}

/** The highest revision in [0, high] whose event lies before p: a binary search, as that is true then false. */
const highestBefore = async (
  before: (revision: number) => Promise<LookedUp | undefined>,
  high: number,
): Promise<LookedUp | undefined> => {
  let highest: LookedUp | undefined;
  for (let low = 0; low <= high;) {
    const middle = Math.floor((low + high) / 2);
    const at = await before(middle);
    if (at) {
      highest = at;
      low = middle + 1;
    } else high = middle - 1;
  }
  return highest;
};
