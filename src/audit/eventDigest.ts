import { hash } from 'node:crypto';
import type { StoredEvent } from '../eventStore/eventStore.js';
import { canonicalText, canonicalTextOf, metadataTexts, type AuditableEvent, type MetadataTexts } from './canonical.js';
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

/** A stored event with its payload and metadata parsed, ready to canonicalise (`metadata` if parsed already). */
export const auditableOf = (event: StoredEvent, metadata = metadataOf(event)): AuditableEvent => {
  const { streamId, revision, eventId, type } = event;
  return { streamId, revision, eventId, type, data: parsed(event.data), metadata };
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

// Metadata as the append path writes it (envelopes: JSON.stringify in this key order), every value a
// string without a quote or an escape, or null; schemaVersion an integer. Laid out so, no key can
// repeat and each value is read from exactly the text JSON.parse would read it from; whether that
// text is the value's JCS text is for the recorded leaf to settle.
const TEXT = '("[^"\\\\]*"|null)';
const AS_APPENDED = new RegExp(
  `^\\{"commandId":${TEXT},"correlationId":${TEXT},"causationId":${TEXT},"actor":${TEXT},` +
    `"recordedAt":${TEXT},"schemaVersion":(\\d+|null),"prevHash":${TEXT}(?:,"illustrative":true)?\\}$`,
);

/** Stored metadata as digestIfRecorded takes it: its audited fields' texts, and its prevHash. */
export type MetadataRead = { texts: MetadataTexts; prevHash: unknown };

/** Stored metadata parsed (laid out otherwise than the append path writes it). */
export const metadataParsed = (event: StoredEvent): MetadataRead => {
  const metadata = metadataOf(event);
  return { texts: metadataTexts(metadata), prevHash: metadata.prevHash };
};

/**
 * The audited fields of stored metadata read straight from its text, when it is laid out as the
 * append path writes it; undefined otherwise (the caller parses it). Nothing is concluded from the
 * texts alone: they are only used through digestIfRecorded, whose leaf settles them.
 */
export const metadataAsText = (text: string): MetadataRead | undefined => {
  const found = AS_APPENDED.exec(text);
  if (found === null) return undefined;
  // Every group takes part in a match: the fallback only satisfies the type checker.
  const [
    ,
    commandId = '',
    correlationId = '',
    causationId = '',
    actor = '',
    recordedAt = '',
    schemaVersion = '',
    prevHash = '',
  ] = found;
  const texts = { actor, causationId, commandId, correlationId, prevHash, recordedAt, schemaVersion };
  return { texts, prevHash: prevHash === 'null' ? null : prevHash.slice(1, -1) };
};

/**
 * Both hashes of a stored event with its payload text and its metadata fields' texts written in as
 * they are, when they give the leaf recorded for it (`recorded`, 32 bytes from `offset`); undefined
 * when they do not. Reading them as text spares parsing and canonicalising them, which is most of
 * what verifying an event costs; it is right exactly when the texts are the canonical text's parts,
 * which the leaf settles: bytes that hash to the leaf computed from the canonical text when the
 * event was appended are that text (SHA-256 is collision resistant). On no match nothing is
 * concluded: the caller canonicalises the parsed event, as for an event written before payloads
 * were stored canonical.
 */
export const digestIfRecorded = (
  stored: StoredEvent,
  metadata: MetadataTexts,
  recorded: Buffer,
  offset: number,
): EventDigest | undefined => {
  const end = encodeWithLeafPrefix(canonicalTextOf(stored.data, stored, metadata));
  const leafHash = sha256(scratch.subarray(0, end));
  return leafHash.compare(recorded, offset, offset + 32) === 0 ? digestOfScratch(end, leafHash) : undefined;
};

/** The RFC 6962 leaf hash of an event: SHA-256(0x00 || canonical bytes). */
export const leafHashOf = (event: AuditableEvent): Buffer => {
  const end = encodeWithLeafPrefix(canonicalText(event));
  return sha256(scratch.subarray(0, end));
};
