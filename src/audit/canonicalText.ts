import { canonicalJson } from './canonicalJson.js';

// Pure (no node: imports): the web console bundles this very code to recompute an event's bytes in
// the browser, so what it verifies is what the server hashes.

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

const metadataField = (metadata: Record<string, unknown>, field: string): string => {
  const value = metadata[field];
  return value === undefined || value === null ? 'null' : canonicalJson(value);
};

/**
 * The canonical text of an event: the JCS serialisation of the object above, written with its keys
 * already in JCS order. An event missing one of its own fields is written by the general path,
 * which leaves the member out as JCS does for an undefined value.
 */
export const canonicalText = (event: AuditableEvent): string => {
  const { streamId, revision, eventId, type, data } = event;
  const missing = [streamId, revision, eventId, type, data].includes(undefined);
  if (missing) return canonicalJson({ ...auditedObject(event), data });
  return canonicalTextWithData(canonicalJson(data), event);
};

/**
 * The canonical text of an event whose payload is given already as text, written in as it is: the
 * canonical text when `dataText` is the payload's JCS text. Verification tries a stored payload
 * this way first (a store writes payloads in JCS, see storedData) and trusts the result only when
 * its hash is the leaf recorded for the event: see EventCheck.
 */
export const canonicalTextWithData = (dataText: string, event: Omit<AuditableEvent, 'data'>): string => {
  const { streamId, revision, eventId, type, metadata } = event;
  return (
    `{"data":${dataText},"eventId":${canonicalJson(eventId)},"metadata":{` +
    `"actor":${metadataField(metadata, 'actor')},"causationId":${metadataField(metadata, 'causationId')},` +
    `"commandId":${metadataField(metadata, 'commandId')},"correlationId":${metadataField(metadata, 'correlationId')},` +
    `"prevHash":${metadataField(metadata, 'prevHash')},"recordedAt":${metadataField(metadata, 'recordedAt')}},` +
    `"revision":${canonicalJson(revision)},"schemaVersion":${metadataField(metadata, 'schemaVersion')},` +
    `"streamId":${canonicalJson(streamId)},"type":${canonicalJson(type)},"v":${CANONICAL_VERSION}}`
  );
};

/** Everything but the payload, as an object for the general serialiser. */
const auditedObject = (event: AuditableEvent): Record<string, unknown> => ({
  v: CANONICAL_VERSION,
  streamId: event.streamId,
  revision: event.revision,
  eventId: event.eventId,
  type: event.type,
  schemaVersion: event.metadata.schemaVersion ?? null,
  metadata: Object.fromEntries(AUDITED_METADATA.map((field) => [field, event.metadata[field] ?? null])),
});
