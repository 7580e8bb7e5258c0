import { assertNever } from '../domain/shared/assertNever.js';
import type { ProjectedEvent, Projection } from './projection.js';

export type AgendaMeeting = {
  meetingId: string;
  title: string;
  forum: string;
  status: 'scheduled' | 'rescheduled' | 'cancelled' | 'closed';
  location: string;
  host: string | null;
  startsAt: string;
  endsAt: string | null;
  agenda: { itemId: string; title: string }[];
  observers: { observerId: string; name: string; kind: string; session: string | null }[];
  cancellationReason: string | null;
  /** How many times the meeting changed after it was scheduled (iCalendar SEQUENCE). */
  sequence: number;
  /** When the meeting last changed, as recorded. */
  updatedAt: string;
};

export type AgendaState = { meetings: Record<string, AgendaMeeting> };

const eventTypes = [
  'MeetingScheduled',
  'MeetingRescheduled',
  'MeetingCancelled',
  'AgendaItemAdded',
  'ObserverInvited',
  'MeetingClosed',
] as const;

type AgendaEvent = Extract<ProjectedEvent, { type: (typeof eventTypes)[number] }>;

/** The current agenda: every meeting with its status, place, time, agenda items in order and observers. */
export const agendaProjection: Projection<AgendaState> = {
  name: 'agenda',
  version: 2,
  eventTypes,
  initialState: () => ({ meetings: {} }),
  evolve: (state, event) => {
    const e = event as AgendaEvent;
    if (e.type === 'MeetingScheduled') {
      const { agenda, ...meeting } = e.data;
      state.meetings[meeting.meetingId] = {
        ...meeting,
        status: 'scheduled',
        agenda: agenda.map((item) => ({ ...item })),
        observers: [],
        cancellationReason: null,
        sequence: 0,
        updatedAt: e.recordedAt,
      };
      return state;
    }
    const meeting = state.meetings[e.data.meetingId];
    if (!meeting) return state;
    meeting.sequence += 1;
    meeting.updatedAt = e.recordedAt;
    switch (e.type) {
      case 'MeetingRescheduled':
        Object.assign(meeting, { status: 'rescheduled', startsAt: e.data.startsAt, endsAt: e.data.endsAt });
        return state;
      case 'MeetingCancelled':
        Object.assign(meeting, { status: 'cancelled', cancellationReason: e.data.reason });
        return state;
      case 'AgendaItemAdded':
        meeting.agenda.push({ itemId: e.data.itemId, title: e.data.title });
        return state;
      case 'ObserverInvited': {
        const { observerId, name, kind, session } = e.data;
        meeting.observers.push({ observerId, name, kind, session });
        return state;
      }
      case 'MeetingClosed':
        meeting.status = 'closed';
        return state;
      default:
        return assertNever(e);
    }
  },
};

export type AgendaQuery = { from?: string; to?: string; forum?: string; status?: AgendaMeeting['status'] };

/** Meetings starting within [from, to), optionally of one forum or status, ordered by start time. */
export const queryAgenda = (state: AgendaState, query: AgendaQuery): AgendaMeeting[] =>
  Object.values(state.meetings)
    .filter(
      (m) =>
        (query.from === undefined || m.startsAt >= query.from) &&
        (query.to === undefined || m.startsAt < query.to) &&
        (query.forum === undefined || m.forum === query.forum) &&
        (query.status === undefined || m.status === query.status),
    )
    .sort((a, b) => (a.startsAt < b.startsAt ? -1 : a.startsAt > b.startsAt ? 1 : a.meetingId < b.meetingId ? -1 : 1));
