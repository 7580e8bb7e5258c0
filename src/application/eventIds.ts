import { createHash } from 'node:crypto';

/**
 * A UUID derived from the command and the event's index in it, so that a retried append carries the
 * same event ids (EventStoreDB de-duplicates on them). Formatted as an RFC 9562 version 8 UUID.
 */
export const eventIdFor = (commandId: string, index: number): string => {
  const bytes = createHash('sha256').update(`${commandId}/${index}`).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};
