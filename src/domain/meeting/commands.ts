import { z } from 'zod';
import { calendarDate, forumSlug, instant, participantKind, slug, text, ulidString } from '../shared/values.js';
import { outcomeKinds, stages } from './events.js';

/**
 * How much one command or one meeting may hold: string lengths in characters, counts of items.
 * Configurable at the edge (LEDGER_LIMITS); they bound what new commands may record and never
 * reinterpret what was recorded before.
 */
export type Limits = {
  title: number;
  name: number;
  location: number;
  reason: number;
  summary: number;
  agendaItemsPerCommand: number;
  agendaItemsPerMeeting: number;
  observersPerMeeting: number;
  outcomesPerMeeting: number;
};

export const defaultLimits: Limits = {
  title: 300,
  name: 200,
  location: 200,
  reason: 1000,
  summary: 4000,
  agendaItemsPerCommand: 100,
  agendaItemsPerMeeting: 200,
  observersPerMeeting: 500,
  outcomesPerMeeting: 2000,
};

/**
 * What the secretariat sends, checked against `limits`. Ids the client may leave out (`meetingId`,
 * `itemId`, `outcomeId`) are filled in at the edge before `decide` runs, so that replaying the same
 * command gives the same events.
 */
export const meetingCommandInputs = (limits: Limits) => {
  const agendaItemInput = z.strictObject({ itemId: slug.optional(), title: text(limits.title) });
  return {
    ScheduleMeeting: z
      .strictObject({
        meetingId: ulidString.optional(),
        title: text(limits.title),
        forum: forumSlug,
        startsAt: instant,
        endsAt: instant.optional(),
        location: text(limits.location),
        host: text(limits.name).optional(),
        agenda: z.array(agendaItemInput).max(limits.agendaItemsPerCommand).optional(),
      })
      .refine((c) => c.endsAt === undefined || c.endsAt > c.startsAt, {
        message: 'endsAt must be after startsAt',
        path: ['endsAt'],
      }),
    RescheduleMeeting: z
      .strictObject({ startsAt: instant, endsAt: instant.optional(), reason: text(limits.reason).optional() })
      .refine((c) => c.endsAt === undefined || c.endsAt > c.startsAt, {
        message: 'endsAt must be after startsAt',
        path: ['endsAt'],
      }),
    CancelMeeting: z.strictObject({ reason: text(limits.reason) }),
    AddAgendaItem: agendaItemInput,
    InviteObserver: z.strictObject({
      observerId: slug,
      name: text(limits.name),
      kind: participantKind,
      session: slug.optional(),
    }),
    RecordAttendance: z.strictObject({ participantId: slug, status: z.enum(['present', 'absent']) }),
    RecordOutcome: z
      .strictObject({
        outcomeId: ulidString.optional(),
        agendaItemId: slug.optional(),
        kind: z.enum(outcomeKinds),
        summary: text(limits.summary),
        theatre: slug.optional(),
        stage: z.enum(stages).optional(),
        occurredOn: calendarDate.optional(),
      })
      .refine((c) => c.stage === undefined || c.theatre !== undefined, {
        message: 'a stage needs a theatre',
        path: ['stage'],
      }),
    CloseMeeting: z.strictObject({}),
    AmendOutcome: z
      .strictObject({
        summary: text(limits.summary).optional(),
        stage: z.enum(stages).optional(),
        theatre: slug.optional(),
        reason: text(limits.reason),
      })
      .refine((c) => c.summary !== undefined || c.stage !== undefined || c.theatre !== undefined, {
        message: 'an amendment changes at least one of summary, stage and theatre',
      }),
    RetractOutcome: z.strictObject({ reason: text(limits.reason) }),
  } as const;
};

export const commandInputs = meetingCommandInputs(defaultLimits);

type Input<K extends keyof typeof commandInputs> = z.infer<(typeof commandInputs)[K]>;
type AgendaItem = { itemId: string; title: string };

/** Commands as `decide` sees them: every id assigned, every cross-stream fact looked up. */
export type MeetingCommand = { meetingId: string } & (
  | {
      type: 'ScheduleMeeting';
      data: Omit<Input<'ScheduleMeeting'>, 'meetingId' | 'agenda'> & { meetingId: string; agenda: AgendaItem[] };
    }
  | { type: 'RescheduleMeeting'; data: Input<'RescheduleMeeting'> }
  | { type: 'CancelMeeting'; data: Input<'CancelMeeting'> }
  | { type: 'AddAgendaItem'; data: AgendaItem }
  | { type: 'InviteObserver'; data: Input<'InviteObserver'> }
  | {
      type: 'RecordAttendance';
      /** `memberAdmitted`: looked up by the handler in the participant's member stream. */
      data: Input<'RecordAttendance'> & { memberAdmitted: boolean };
    }
  | { type: 'RecordOutcome'; data: Omit<Input<'RecordOutcome'>, 'outcomeId'> & { outcomeId: string } }
  | { type: 'CloseMeeting'; data: Input<'CloseMeeting'> }
  /** Corrections name the outcome they correct; the client sends its id in the path. */
  | { type: 'AmendOutcome'; data: Input<'AmendOutcome'> & { outcomeId: string } }
  | { type: 'RetractOutcome'; data: Input<'RetractOutcome'> & { outcomeId: string } }
);
