import type { StoredEvent } from '../eventStore/eventStore.js';
import type { AuditableEvent } from './canonical.js';
import { chainProblem, UNKNOWN, type ChainedEvent, type ChainLink, type ChainLinks } from './chainLinks.js';
import { auditableOf, digestOf, UnreadableEvent } from './eventDigest.js';

/** An event that passed its own checks gives its leaf hash; one that did not, the reason. */
export type Verdict = { leafHash: Buffer } | { reason: string };

/**
 * What verification checks of each event by itself, recomputed from the stored payload and never
 * from a stored hash: its canonical bytes, its place in its stream's chain (dense revisions, prevHash
 * = the hash of the event before), and its leaf hash for the tree.
 */
export class EventCheck {
  constructor(private readonly links: ChainLinks) {}

  /** The verdict on one event; a promise only when the store must be asked for the event before it. */
  check(stored: StoredEvent): Verdict | Promise<Verdict> {
    let event: AuditableEvent;
    try {
      event = auditableOf(stored);
    } catch (error) {
      if (error instanceof UnreadableEvent) return { reason: error.message };
      throw error;
    }
    const chained: ChainedEvent = {
      streamId: stored.streamId,
      revision: stored.revision,
      position: stored.position,
      prevHash: event.metadata.prevHash,
    };
    const previous = this.links.known(chained);
    if (previous !== UNKNOWN) return this.hashed(event, chained, previous);
    return this.links.lookUp(chained).then((found) => this.hashed(event, chained, found));
  }

  private hashed(event: AuditableEvent, chained: ChainedEvent, previous: ChainLink | undefined): Verdict {
    const reason = chainProblem(chained, previous);
    if (reason) return { reason };
    const { chainHash, leafHash } = digestOf(event);
    this.links.remember(chained.streamId, chained.revision, chainHash, chained.position);
    return { leafHash };
  }
}
