import { canonicalJson } from '../eventStore/canonicalJson.js';

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

/**
 * The canonical JSON text of each audited metadata field and of schemaVersion, as they are written
 * into an event's canonical text (a missing field as null).
 */
export type MetadataTexts = Record<(typeof AUDITED_METADATA)[number] | 'schemaVersion', string>;

const metadataField = (metadata: Record<string, unknown>, field: string): string => {
  const value = metadata[field];
  return value === undefined || value === null ? 'null' : canonicalJson(value);
};

/** The texts of a parsed metadata object's audited fields. */
export const metadataTexts = (metadata: Record<string, unknown>): MetadataTexts => ({
  actor: metadataField(metadata, 'actor'),
  causationId: metadataField(metadata, 'causationId'),
  commandId: metadataField(metadata, 'commandId'),
  correlationId: metadataField(metadata, 'correlationId'),
  prevHash: metadataField(metadata, 'prevHash'),
  recordedAt: metadataField(metadata, 'recordedAt'),
  schemaVersion: metadataField(metadata, 'schemaVersion'),
});

/**
 * The canonical text of an event: the JCS serialisation of the object above, written with its keys
 * already in JCS order. An event missing one of its own fields is written by the general path,
 * which leaves the member out as JCS does for an undefined value.
 */
export const canonicalText = (event: AuditableEvent): string => {
  const { streamId, revision, eventId, type, data } = event;
  const missing = [streamId, revision, eventId, type, data].includes(undefined);
  if (missing) return canonicalJson({ ...auditedObject(event), data });
  return canonicalTextOf(canonicalJson(data), event, metadataTexts(event.metadata));
};

/**
 * The canonical text of an event from its parts already written as text: the payload and the
 * metadata fields, each put in as it is. It is the canonical text when each part is its value's JCS
 * text. Verification tries a stored event this way first (a store writes payloads in JCS, see
 * storedData, and metadata of plain strings) and trusts the result only when its hash is the leaf
 * recorded for the event: see EventCheck.
 */
export const canonicalTextOf = (
  dataText: string,
  event: Omit<AuditableEvent, 'data' | 'metadata'>,
  metadata: MetadataTexts,
): string => {
  const { streamId, revision, eventId, type } = event;
  return (
    `{"data":${dataText},"eventId":${canonicalJson(eventId)},"metadata":{` +
    `"actor":${metadata.actor},"causationId":${metadata.causationId},` +
    `"commandId":${metadata.commandId},"correlationId":${metadata.correlationId},` +
    `"prevHash":${metadata.prevHash},"recordedAt":${metadata.recordedAt}},` +
    `"revision":${canonicalJson(revision)},"schemaVersion":${metadata.schemaVersion},` +
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
