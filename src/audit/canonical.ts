import { hash } from 'node:crypto';
import { canonicalJson } from '../eventStore/canonicalJson.js';
import { canonicalText, type AuditableEvent } from './canonicalText.js';

export {
  AUDITED_METADATA,
  CANONICAL_VERSION,
  canonicalText,
  canonicalTextOf,
  metadataTexts,
  type MetadataTexts,
  type AuditableEvent,
} from './canonicalText.js';

/** RFC 8785 JSON Canonicalization Scheme for the JSON values events hold (see canonicalJson.ts). */
export const jcs = canonicalJson;

export const canonicalBytes = (event: AuditableEvent): Buffer => Buffer.from(canonicalText(event), 'utf8');

/** The hash an event is known by in its stream's chain: SHA-256 of its canonical bytes, hex. */
export const eventHash = (event: AuditableEvent): string => hash('sha256', canonicalText(event), 'hex');

/** The chain hash from canonical bytes already computed (verification needs the bytes for the leaf too). */
export const hashOfCanonical = (bytes: Uint8Array): string => hash('sha256', bytes, 'hex');
