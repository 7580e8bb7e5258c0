import { createHash } from 'node:crypto';

/**
 * The canonical bytes of an event: what every audit hash is computed from. docs/audit.md specifies
 * them for outside auditors; any change here is a new encoding version, never an edit of this one.
 *
 * Encoding version 1 is the UTF-8 bytes of the RFC 8785 (JCS) serialisation of
 *   { v: 1, streamId, revision, eventId, type, schemaVersion, data,
 *     metadata: { commandId, correlationId, causationId, actor, recordedAt, prevHash } }
 * with a missing audited metadata field as null. JCS sorts object keys by UTF-16 code units, writes
 * no whitespace, and writes strings and numbers as ECMAScript's JSON.stringify does.
 */
export const CANONICAL_VERSION = 1;

/** The audited metadata fields, in no particular order (JCS sorts them). */
export const AUDITED_METADATA = [
  'commandId',
  'correlationId',
  'causationId',
  'actor',
  'recordedAt',
  'prevHash',
] as const;

export type AuditableEvent = {
  streamId: string;
  revision: number;
  eventId: string;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
};

/** RFC 8785 JSON Canonicalization Scheme for the JSON values events hold. */
export const jcs = (value: unknown): string => {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('JCS cannot encode a non-finite number');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(jcs).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${jcs(v)}`).join(',')}}`;
  }
  throw new TypeError(`JCS cannot encode a ${typeof value}`);
};

export const canonicalBytes = (event: AuditableEvent): Buffer => {
  const metadata = Object.fromEntries(AUDITED_METADATA.map((field) => [field, event.metadata[field] ?? null]));
  const schemaVersion = event.metadata.schemaVersion ?? null;
  const { streamId, revision, eventId, type, data } = event;
  return Buffer.from(
    jcs({ v: CANONICAL_VERSION, streamId, revision, eventId, type, schemaVersion, data, metadata }),
    'utf8',
  );
};

/** The hash an event is known by in its stream's chain: SHA-256 of its canonical bytes, hex. */
export const eventHash = (event: AuditableEvent): string => hashOfCanonical(canonicalBytes(event));

/** The chain hash from canonical bytes already computed (verification needs the bytes for the leaf too). */
export const hashOfCanonical = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
