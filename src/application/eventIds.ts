import { createHash } from 'node:crypto';
import { decodeTime } from 'ulid';

/** The millisecond timestamp of a ULID command id, or undefined for an id that is not a ULID. */
const timeOf = (commandId: string): number | undefined => {
  try {
    return decodeTime(commandId);
  } catch {
    return undefined;
  }
};

/**
 * A UUID derived from the command and the event's index in it, so that a retried append carries the
 * same event ids (EventStoreDB de-duplicates on them). Formatted as an RFC 9562 version 8 UUID whose
 * first 48 bits are the command's ULID time, as in a version 7 UUID: ids sort by time, so the stores'
 * unique index on event ids grows at its right edge. A random id lands on a random page of that
 * index, and a commit then writes one page of it per event, which made a command's cost grow with
 * the ledger (measured: the pages a commit writes at one million events against a fresh ledger).
 * The remaining 74 bits are the SHA-256 of command id and index; an id that is not a ULID gives
 * them all.
 */
export const eventIdFor = (commandId: string, index: number): string => {
  const bytes = createHash('sha256').update(`${commandId}/${index}`).digest().subarray(0, 16);
  const time = timeOf(commandId);
  if (time !== undefined) bytes.writeUIntBE(time, 0, 6);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};
