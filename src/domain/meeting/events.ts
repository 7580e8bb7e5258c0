import { z } from 'zod';
import { participantKind } from '../shared/values.js';

export const stages = ['contested', 'offensive-underway', 'verge-of-liberation', 'liberated', 'stabilization'] as const;
export type Stage = (typeof stages)[number];
export const outcomeKinds = ['decision', 'assessment', 'commitment', 'milestone'] as const;
export type OutcomeKind = (typeof outcomeKinds)[number];

const agendaItem = z.object({ itemId: z.string(), title: z.string() });
const correctableValues = z.object({
  summary: z.string(),
  stage: z.enum(stages).nullable(),
  theatre: z.string().nullable(),
});

// Event payloads are what was decided, already validated on the way in; on the way out they are
// checked again so that a stored event of an unknown shape is noticed rather than folded blindly.
export const meetingEventSchemas = {
  MeetingScheduled: z.object({
    meetingId: z.string(),
    title: z.string(),
    forum: z.string(),
    startsAt: z.string(),
    endsAt: z.string().nullable(),
    location: z.string(),
    host: z.string().nullable(),
    agenda: z.array(agendaItem),
  }),
  MeetingRescheduled: z.object({
    meetingId: z.string(),
    startsAt: z.string(),
    endsAt: z.string().nullable(),
    previousStartsAt: z.string(),
    previousEndsAt: z.string().nullable(),
    reason: z.string().nullable(),
  }),
  MeetingCancelled: z.object({ meetingId: z.string(), reason: z.string() }),
  AgendaItemAdded: z.object({ meetingId: z.string(), itemId: z.string(), title: z.string() }),
  ObserverInvited: z.object({
    meetingId: z.string(),
    observerId: z.string(),
    name: z.string(),
    kind: participantKind,
    session: z.string().nullable(),
  }),
  AttendanceRecorded: z.object({
    meetingId: z.string(),
    participantId: z.string(),
    role: z.enum(['member', 'observer']),
    status: z.enum(['present', 'absent']),
  }),
  OutcomeRecorded: z.object({
    meetingId: z.string(),
    outcomeId: z.string(),
    agendaItemId: z.string().nullable(),
    kind: z.enum(outcomeKinds),
    summary: z.string(),
    theatre: z.string().nullable(),
    stage: z.enum(stages).nullable(),
    occurredOn: z.string().nullable(),
  }),
  MeetingClosed: z.object({ meetingId: z.string() }),
  // A correction is a new event that names the outcome it corrects; the OutcomeRecorded stays as written.
  OutcomeAmended: z.object({
    meetingId: z.string(),
    outcomeId: z.string(),
    summary: z.string(),
    stage: z.enum(stages).nullable(),
    theatre: z.string().nullable(),
    reason: z.string(),
    previous: correctableValues,
  }),
  OutcomeRetracted: z.object({ meetingId: z.string(), outcomeId: z.string(), reason: z.string() }),
} as const;

type Schemas = typeof meetingEventSchemas;
export type MeetingEventType = keyof Schemas;
export type MeetingEvent = { [K in MeetingEventType]: { type: K; data: z.infer<Schemas[K]> } }[MeetingEventType];
export type MeetingEventOf<K extends MeetingEventType> = Extract<MeetingEvent, { type: K }>;
