import { assertNever } from '../shared/assertNever.js';
import type { MeetingEvent, OutcomeKind, Stage } from './events.js';

export type MeetingStatus = 'scheduled' | 'rescheduled' | 'cancelled' | 'closed';

export type Observer = { observerId: string; name: string; kind: 'state' | 'organization'; session: string | null };
export type Attendance = { participantId: string; role: 'member' | 'observer'; status: 'present' | 'absent' };
/** What a correction may change, and what an amendment records it replaced. */
export type CorrectableValues = { summary: string; stage: Stage | null; theatre: string | null };
export type OutcomeCorrection =
  { kind: 'amended'; reason: string; previous: CorrectableValues } | { kind: 'retracted'; reason: string };
export type Outcome = {
  outcomeId: string;
  agendaItemId: string | null;
  kind: OutcomeKind;
  summary: string;
  theatre: string | null;
  stage: Stage | null;
  occurredOn: string | null;
  status: 'standing' | 'retracted';
  history: OutcomeCorrection[];
};

export type ScheduledMeeting = {
  status: MeetingStatus;
  meetingId: string;
  title: string;
  forum: string;
  startsAt: string;
  endsAt: string | null;
  location: string;
  host: string | null;
  cancellationReason: string | null;
  agenda: { itemId: string; title: string }[];
  observers: Observer[];
  attendance: Attendance[];
  outcomes: Outcome[];
};

export type Meeting = { status: 'none' } | ScheduledMeeting;

export const initialMeeting = (): Meeting => ({ status: 'none' });

const correctOutcome = (
  state: ScheduledMeeting,
  outcomeId: string,
  correct: (outcome: Outcome) => Outcome,
): ScheduledMeeting => ({
  ...state,
  outcomes: state.outcomes.map((o) => (o.outcomeId === outcomeId ? correct(o) : o)),
});

/** Folds one event into the meeting. Pure and total: the same events always give the same meeting. */
export const evolveMeeting = (state: Meeting, event: MeetingEvent): Meeting => {
  if (event.type === 'MeetingScheduled') {
    const { agenda, ...rest } = event.data;
    return {
      ...rest,
      status: 'scheduled',
      agenda: [...agenda],
      cancellationReason: null,
      observers: [],
      attendance: [],
      outcomes: [],
    };
  }
  if (state.status === 'none') return state; // an event for a meeting never scheduled cannot be folded
  switch (event.type) {
    case 'MeetingRescheduled':
      return { ...state, status: 'rescheduled', startsAt: event.data.startsAt, endsAt: event.data.endsAt };
    case 'MeetingCancelled':
      return { ...state, status: 'cancelled', cancellationReason: event.data.reason };
    case 'AgendaItemAdded':
      return { ...state, agenda: [...state.agenda, { itemId: event.data.itemId, title: event.data.title }] };
    case 'ObserverInvited': {
      const { meetingId: _meetingId, ...observer } = event.data;
      return { ...state, observers: [...state.observers, observer] };
    }
    case 'AttendanceRecorded': {
      const { meetingId: _meetingId, ...record } = event.data;
      const others = state.attendance.filter((a) => a.participantId !== record.participantId);
      return { ...state, attendance: [...others, record] };
    }
    case 'OutcomeRecorded': {
      const { meetingId: _meetingId, ...outcome } = event.data;
      return { ...state, outcomes: [...state.outcomes, { ...outcome, status: 'standing', history: [] }] };
    }
    case 'OutcomeAmended': {
      const { outcomeId, summary, stage, theatre, reason, previous } = event.data;
      return correctOutcome(state, outcomeId, (o) => ({
        ...o,
        summary,
        stage,
        theatre,
        history: [...o.history, { kind: 'amended', reason, previous }],
      }));
    }
    case 'OutcomeRetracted': {
      const { outcomeId, reason } = event.data;
      return correctOutcome(state, outcomeId, (o) => ({
        ...o,
        status: 'retracted',
        history: [...o.history, { kind: 'retracted', reason }],
      }));
    }
    case 'MeetingClosed':
      return { ...state, status: 'closed' };
    default:
      return assertNever(event);
  }
};
