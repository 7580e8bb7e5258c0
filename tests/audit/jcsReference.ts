// The first implementation of the canonical bytes (encoding version 1), kept verbatim as the
// reference the hand-written serialiser in src/eventStore/canonicalJson.ts must equal byte for byte.
// Slow (it allocates an entries array per object) and meant to be obviously right.
import { AUDITED_METADATA, CANONICAL_VERSION, type AuditableEvent } from '../../src/audit/canonical.js';

export const referenceJcs = (value: unknown): string => {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('JCS cannot encode a non-finite number');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(referenceJcs).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${referenceJcs(v)}`).join(',')}}`;
  }
  throw new TypeError(`JCS cannot encode a ${typeof value}`);
};

export const referenceCanonicalBytes = (event: AuditableEvent): Buffer => {
  const metadata = Object.fromEntries(AUDITED_METADATA.map((field) => [field, event.metadata[field] ?? null]));
  const schemaVersion = event.metadata.schemaVersion ?? null;
  const { streamId, revision, eventId, type, data } = event;
  return Buffer.from(
    referenceJcs({ v: CANONICAL_VERSION, streamId, revision, eventId, type, schemaVersion, data, metadata }),
    'utf8',
  );
};
