import { hash } from 'node:crypto';
import type { StoredEvent } from '../eventStore/eventStore.js';
import { canonicalText, type AuditableEvent } from './canonical.js';
import { sha256 } from './merkle.js';

/** An event's two hashes: its chain hash (hex, what the next event's prevHash names) and its leaf hash. */
export type EventDigest = { chainHash: string; leafHash: Buffer };

/** A stored event whose payload or metadata is not JSON: nothing about it can be hashed. */
export class UnreadableEvent extends Error {}

/** A stored event with its payload and metadata parsed, ready to canonicalise. */
export const auditableOf = (event: StoredEvent): AuditableEvent => {
  const { streamId, revision, eventId, type } = event;
  let data: unknown;
  let metadata: unknown;
  try {
    data = JSON.parse(event.data);
    metadata = JSON.parse(event.metadata);
  } catch (error) {
    throw new UnreadableEvent(`the stored event is not JSON: ${(error as Error).message}`);
  }
  if (typeof metadata !== 'object' || metadata === null) {
    throw new UnreadableEvent('the stored event has no metadata object');
  }
  return { streamId, revision, eventId, type, data, metadata: metadata as Record<string, unknown> };
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

/** Both hashes of an event (verification needs the chain hash for the next event and the leaf for the tree). */
export const digestOf = (event: AuditableEvent): EventDigest => {
  const end = encodeWithLeafPrefix(canonicalText(event));
  return {
    leafHash: sha256(scratch.subarray(0, end)),
    chainHash: hash('sha256', scratch.subarray(1, end), 'hex'),
  };
};

/** The RFC 6962 leaf hash of an event: SHA-256(0x00 || canonical bytes). */
export const leafHashOf = (event: AuditableEvent): Buffer => {
  const end = encodeWithLeafPrefix(canonicalText(event));
  return sha256(scratch.subarray(0, end));
};
