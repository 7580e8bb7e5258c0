import { assertNever } from '../shared/assertNever.js';
import type { MeetingEvent, OutcomeKind, Stage } from './events.js';

export type MeetingStatus = 'scheduled' | 'rescheduled' | 'cancelled' | 'closed';

export type Observer = { observerId: string; name: string; kind: 'state' | 'organization'; session: string | null };
export type Attendance = { participantId: string; role: 'member' | 'observer'; status: 'present' | 'absent' };
export type Outcome = {
  outcomeId: string;
  agendaItemId: string | null;
  kind: OutcomeKind;
  summary: string;
  theatre: string | null;
  stage: Stage | null;
  occurredOn: string | null;
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
      return { ...state, outcomes: [...state.outcomes, outcome] };
    }
    case 'MeetingClosed':
      return { ...state, status: 'closed' };
    default:
      return assertNever(event);
  }
};
