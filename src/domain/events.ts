import { z } from 'zod';
import { meetingEventSchemas, type MeetingEvent } from './meeting/events.js';
import { memberEventSchemas, type MemberEvent } from './member/events.js';
import { utcInstant } from './shared/values.js';

export type LedgerEvent = MeetingEvent | MemberEvent;
export type LedgerEventType = LedgerEvent['type'];

/**
 * Every event type with the schema version it is written at. A change to a payload's shape gets a
 * new version and an upcaster here, never an edit of events already written.
 */
export const eventCatalog: { [K in LedgerEventType]: { schemaVersion: number; schema: z.ZodType } } = {
  MemberAdmitted: { schemaVersion: 1, schema: memberEventSchemas.MemberAdmitted },
  MeetingScheduled: { schemaVersion: 1, schema: meetingEventSchemas.MeetingScheduled },
  MeetingRescheduled: { schemaVersion: 1, schema: meetingEventSchemas.MeetingRescheduled },
  MeetingCancelled: { schemaVersion: 1, schema: meetingEventSchemas.MeetingCancelled },
  AgendaItemAdded: { schemaVersion: 1, schema: meetingEventSchemas.AgendaItemAdded },
  ObserverInvited: { schemaVersion: 1, schema: meetingEventSchemas.ObserverInvited },
  AttendanceRecorded: { schemaVersion: 1, schema: meetingEventSchemas.AttendanceRecorded },
  OutcomeRecorded: { schemaVersion: 1, schema: meetingEventSchemas.OutcomeRecorded },
  MeetingClosed: { schemaVersion: 1, schema: meetingEventSchemas.MeetingClosed },
  OutcomeAmended: { schemaVersion: 1, schema: meetingEventSchemas.OutcomeAmended },
  OutcomeRetracted: { schemaVersion: 1, schema: meetingEventSchemas.OutcomeRetracted },
};

export const isLedgerEventType = (type: string): type is LedgerEventType => Object.hasOwn(eventCatalog, type);

/** Rebuilds a domain event from what a store returned, refusing types and shapes it does not know. */
export const toLedgerEvent = (type: string, data: unknown): LedgerEvent => {
  if (!isLedgerEventType(type)) throw new Error(`Unknown event type ${type}`);
  return { type, data: eventCatalog[type].schema.parse(data) } as LedgerEvent;
};

/** Metadata every stored event carries: who asked, on behalf of which command, and when. */
export type EventMetadata = {
  commandId: string;
  correlationId: string;
  causationId: string;
  actor: string;
  recordedAt: string;
  schemaVersion: number;
  /** The hash of the stream's previous event (null for the first): the stream's hash chain. */
  prevHash: string | null;
  /**
   * Sample data, not a record of fact: set only by the demo's `--illustrative` loader. Absent on
   * every other event. Not among the audited fields; its loader's actor (`secretariat#demo-illustrative`) is.
   */
  illustrative?: true;
};

/** EventMetadata as the ledger writes it, for events that come from outside (an import). */
export const eventMetadataSchema = z.strictObject({
  commandId: z.string().min(1),
  correlationId: z.string().min(1),
  causationId: z.string().min(1),
  actor: z.string().min(1),
  recordedAt: utcInstant,
  schemaVersion: z.number().int().min(1),
  prevHash: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 hash in hex')
    .nullable(),
  illustrative: z.literal(true).optional(),
}) satisfies z.ZodType<EventMetadata>;

export const meetingStream = (meetingId: string): string => `meeting-${meetingId}`;
export const memberStream = (memberId: string): string => `member-${memberId}`;

/** The stream an event belongs in: its meeting's, or its member's. */
export const streamOf = (event: LedgerEvent): string =>
  event.type === 'MemberAdmitted' ? memberStream(event.data.memberId) : meetingStream(event.data.meetingId);
