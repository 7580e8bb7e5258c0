import type { StoredEvent } from '../eventStore/eventStore.js';
import { chainProblem, UNKNOWN, type ChainedEvent, type ChainLink, type ChainLinks } from './chainLinks.js';
import {
  auditableOf,
  digestIfRecorded,
  digestOf,
  metadataAsText,
  metadataOf,
  metadataParsed,
  UnreadableEvent,
  type EventDigest,
} from './eventDigest.js';

/** An event that passed its own checks gives its leaf hash; one that did not, the reason. */
export type Verdict = { leafHash: Buffer } | { reason: string };

/** The leaf recorded for an event when it was indexed: 32 bytes of `hashes` from `offset`, and its index. */
export type RecordedLeaf = { hashes: Buffer; offset: number; index: number };

/**
 * After this many events in a row whose stored payload was not its canonical text (a ledger written
 * before payloads were stored canonical), the next PAUSE events go straight to canonicalisation.
 */
const MISSES_BEFORE_PAUSE = 16;
const PAUSE = 4_096;

/**
 * What verification checks of each event by itself, recomputed from the stored payload and never
 * from a stored hash: its canonical bytes, its place in its stream's chain (dense revisions, prevHash
 * = the hash of the event before), and its leaf hash for the tree.
 */
export class EventCheck {
  private misses = 0;
  private paused = 0;

  constructor(private readonly links: ChainLinks) {}

  /**
   * The verdict on one event; a promise only when the store must be asked for the event before it.
   * With the leaf recorded for it, the stored payload is first taken as its canonical text (see
   * digestIfRecorded): a shortcut that gives the same hashes, never a different verdict.
   */
  check(stored: StoredEvent, recorded?: RecordedLeaf): Verdict | Promise<Verdict> {
    let digest: EventDigest;
    let prevHash: unknown;
    try {
      const quick = recorded !== undefined && this.tryQuick() ? this.quick(stored, recorded) : undefined;
      if (quick) ({ digest, prevHash } = quick);
      else {
        const metadata = metadataOf(stored);
        digest = digestOf(auditableOf(stored, metadata));
        prevHash = metadata.prevHash;
      }
    } catch (error) {
      if (error instanceof UnreadableEvent) return { reason: error.message };
      throw error;
    }
    const chained: ChainedEvent = {
      streamId: stored.streamId,
      revision: stored.revision,
      position: stored.position,
      prevHash,
    };
    const previous = this.links.known(chained);
    if (previous !== UNKNOWN) return this.linked(chained, previous, digest);
    return this.links.lookUp(chained).then((found) => this.linked(chained, found, digest));
  }

  /**
   * The stored payload taken as its canonical text, and the metadata read as text when it is laid
   * out as the append path writes it (else parsed): both hashes and the prevHash when they give the
   * recorded leaf, else undefined.
   */
  private quick(stored: StoredEvent, recorded: RecordedLeaf): { digest: EventDigest; prevHash: unknown } | undefined {
    const metadata = metadataAsText(stored.metadata) ?? metadataParsed(stored);
    const digest = digestIfRecorded(stored, metadata.texts, recorded.hashes, recorded.offset);
    this.count(digest !== undefined);
    return digest && { digest, prevHash: metadata.prevHash };
  }

  private tryQuick(): boolean {
    if (this.paused === 0) return true;
    this.paused -= 1;
    return false;
  }

  private count(hit: boolean): void {
    this.misses = hit ? 0 : this.misses + 1;
    if (this.misses >= MISSES_BEFORE_PAUSE) {
      this.misses = 0;
      this.paused = PAUSE;
    }
  }

  private linked(chained: ChainedEvent, previous: ChainLink | undefined, digest: EventDigest): Verdict {
    const reason = chainProblem(chained, previous);
    if (reason) return { reason };
    this.links.remember(chained.streamId, chained.revision, digest.chainHash, chained.position);
    return { leafHash: digest.leafHash };
  }
}
