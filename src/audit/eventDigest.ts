import { hash } from 'node:crypto';
import type { StoredEvent } from '../eventStore/eventStore.js';
import { canonicalText, canonicalTextWithData, type AuditableEvent } from './canonical.js';
import { sha256 } from './merkle.js';

/** An event's two hashes: its chain hash (hex, what the next event's prevHash names) and its leaf hash. */
export type EventDigest = { chainHash: string; leafHash: Buffer };

/** A stored event whose payload or metadata is not JSON: nothing about it can be hashed. */
export class UnreadableEvent extends Error {}

const parsed = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UnreadableEvent(`the stored event is not JSON: ${(error as Error).message}`);
  }
};

/** A stored event's metadata parsed (all that is read of it when its payload is taken as text). */
export const metadataOf = (event: StoredEvent): Record<string, unknown> => {
  const metadata = parsed(event.metadata);
  if (typeof metadata !== 'object' || metadata === null) {
    throw new UnreadableEvent('the stored event has no metadata object');
  }
  return metadata as Record<string, unknown>;
};

/** A stored event with its payload and metadata parsed, ready to canonicalise. */
export const auditableOf = (event: StoredEvent): AuditableEvent => {
  const { streamId, revision, eventId, type } = event;
  const data = parsed(event.data);
  return { streamId, revision, eventId, type, data, metadata: metadataOf(event) };
};

// 0x00 || canonical bytes, encoded once into a reused buffer: the leaf hash reads all of it and the
// chain hash the view after the prefix, so neither needs a copy of its own.
let scratch = Buffer.allocUnsafe(64 * 1024);
scratch[0] = 0x00;

const encodeWithLeafPrefix = (text: string): number => {
  const worstCase = 1 + text.length * 3; // UTF-8 takes at most 3 bytes per UTF-16 code unit
  if (worstCase > scratch.length) {
    scratch = Buffer.allocUnsafe(Math.max(worstCase, scratch.length * 2));
    scratch[0] = 0x00;
  }
  return 1 + scratch.write(text, 1, 'utf8');
};

/** Both hashes of the canonical text written into the scratch buffer (`end` bytes with the prefix). */
const digestOfScratch = (end: number, leafHash = sha256(scratch.subarray(0, end))): EventDigest => ({
  leafHash,
  chainHash: hash('sha256', scratch.subarray(1, end), 'hex'),
});

/** Both hashes of an event (verification needs the chain hash for the next event and the leaf for the tree). */
export const digestOf = (event: AuditableEvent): EventDigest =>
  digestOfScratch(encodeWithLeafPrefix(canonicalText(event)));

/**
 * Both hashes of a stored event with its payload text written in as it is, when they give the leaf
 * recorded for it (`recorded`, 32 bytes from `offset`); undefined when they do not. Reading the
 * payload as text spares parsing and canonicalising it, which is most of what verifying an event
 * costs; it is right exactly when the stored text is the payload's canonical text, which the leaf
 * settles: bytes that hash to the leaf computed from the canonical text when the event was appended
 * are that text (SHA-256 is collision resistant). On no match nothing is concluded: the caller
 * canonicalises the parsed payload, as for an event written before payloads were stored canonical.
 */
export const digestIfRecorded = (
  stored: StoredEvent,
  metadata: Record<string, unknown>,
  recorded: Buffer,
  offset: number,
): EventDigest | undefined => {
  const { streamId, revision, eventId, type } = stored;
  const end = encodeWithLeafPrefix(canonicalTextWithData(stored.data, { streamId, revision, eventId, type, metadata }));
  const leafHash = sha256(scratch.subarray(0, end));
  return leafHash.compare(recorded, offset, offset + 32) === 0 ? digestOfScratch(end, leafHash) : undefined;
};

/** The RFC 6962 leaf hash of an event: SHA-256(0x00 || canonical bytes). */
export const leafHashOf = (event: AuditableEvent): Buffer => {
  const end = encodeWithLeafPrefix(canonicalText(event));
  return sha256(scratch.subarray(0, end));
};
