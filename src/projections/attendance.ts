import { assertNever } from '../domain/shared/assertNever.js';
import type { ProjectedEvent, Projection } from './projection.js';

type MeetingFacts = {
  title: string;
  forum: string;
  startsAt: string;
  status: 'scheduled' | 'rescheduled' | 'cancelled' | 'closed';
};
type Participation = { invited: boolean; status: 'present' | 'absent' | null };
type Participant = {
  participantId: string;
  name: string;
  role: 'member' | 'observer';
  meetings: Record<string, Participation>;
};

export type AttendanceState = { meetings: Record<string, MeetingFacts>; participants: Record<string, Participant> };

const eventTypes = [
  'MemberAdmitted',
  'MeetingScheduled',
  'MeetingRescheduled',
  'MeetingCancelled',
  'MeetingClosed',
  'ObserverInvited',
  'AttendanceRecorded',
] as const;

type AttendanceEvent = Extract<ProjectedEvent, { type: (typeof eventTypes)[number] }>;

const participant = (state: AttendanceState, id: string, name: string, role: Participant['role']): Participant => {
  const existing = state.participants[id];
  if (existing) return existing;
  const created: Participant = { participantId: id, name, role, meetings: {} };
  state.participants[id] = created;
  return created;
};

/** Attendance history per member and observer. Invitation and attendance are separate facts. */
export const attendanceProjection: Projection<AttendanceState> = {
  name: 'attendance',
  version: 1,
  eventTypes,
  initialState: () => ({ meetings: {}, participants: {} }),
  evolve: (state, event) => {
    const e = event as AttendanceEvent;
    switch (e.type) {
      case 'MemberAdmitted': {
        // An observer admitted later becomes a member; the history it had as an observer stays.
        const p = participant(state, e.data.memberId, e.data.name, 'member');
        Object.assign(p, { role: 'member', name: e.data.name });
        return state;
      }
      case 'MeetingScheduled': {
        const { meetingId, title, forum, startsAt } = e.data;
        state.meetings[meetingId] = { title, forum, startsAt, status: 'scheduled' };
        return state;
      }
      case 'MeetingRescheduled':
        return withMeeting(state, e.data.meetingId, (m) =>
          Object.assign(m, { startsAt: e.data.startsAt, status: 'rescheduled' }),
        );
      case 'MeetingCancelled':
        return withMeeting(state, e.data.meetingId, (m) => (m.status = 'cancelled'));
      case 'MeetingClosed':
        return withMeeting(state, e.data.meetingId, (m) => (m.status = 'closed'));
      case 'ObserverInvited': {
        const p = participant(state, e.data.observerId, e.data.name, 'observer');
        const record = (p.meetings[e.data.meetingId] ??= { invited: false, status: null });
        record.invited = true;
        return state;
      }
      case 'AttendanceRecorded': {
        const p = participant(state, e.data.participantId, e.data.participantId, e.data.role);
        const record = (p.meetings[e.data.meetingId] ??= { invited: false, status: null });
        record.status = e.data.status; // a later record replaces the earlier one
        return state;
      }
      default:
        return assertNever(e);
    }
  },
};

const withMeeting = (
  state: AttendanceState,
  meetingId: string,
  change: (m: MeetingFacts) => unknown,
): AttendanceState => {
  const meeting = state.meetings[meetingId];
  if (meeting) change(meeting);
  return state;
};

export type AttendanceQuery = { participantId?: string; from?: string; to?: string };

export type ParticipantAttendance = {
  participantId: string;
  name: string;
  role: 'member' | 'observer';
  invited: number;
  attended: number;
  absent: number;
  rate: number | null;
  meetings: {
    meetingId: string;
    title: string;
    forum: string;
    startsAt: string;
    meetingStatus: MeetingFacts['status'];
    invited: boolean;
    status: 'present' | 'absent' | 'not-recorded';
  }[];
};

/**
 * Each participant's meetings within [from, to) by start time, with counts over the meetings that
 * were not cancelled: `invited` those a participant was expected at (an invitation or an attendance
 * record), `rate` attended / (attended + absent), null before anything was recorded.
 */
export const queryAttendance = (state: AttendanceState, query: AttendanceQuery): ParticipantAttendance[] =>
  Object.values(state.participants)
    .filter((p) => query.participantId === undefined || p.participantId === query.participantId)
    .sort((a, b) => (a.participantId < b.participantId ? -1 : 1))
    .map((p) => {
      const meetings = Object.entries(p.meetings)
        .flatMap(([meetingId, record]) => {
          const meeting = state.meetings[meetingId];
          if (!meeting) return [];
          if (query.from !== undefined && meeting.startsAt < query.from) return [];
          if (query.to !== undefined && meeting.startsAt >= query.to) return [];
          return [
            {
              meetingId,
              title: meeting.title,
              forum: meeting.forum,
              startsAt: meeting.startsAt,
              meetingStatus: meeting.status,
              invited: record.invited,
              status: record.status ?? ('not-recorded' as const),
            },
          ];
        })
        .sort((a, b) =>
          a.startsAt < b.startsAt ? -1 : a.startsAt > b.startsAt ? 1 : a.meetingId < b.meetingId ? -1 : 1,
        );
      // A cancelled meeting stays in the list but counts for nothing: nobody could attend it.
      const held = meetings.filter((m) => m.meetingStatus !== 'cancelled');
      const attended = held.filter((m) => m.status === 'present').length;
      const absent = held.filter((m) => m.status === 'absent').length;
      const invited = held.length;
      return {
        participantId: p.participantId,
        name: p.name,
        role: p.role,
        invited,
        attended,
        absent,
        rate: attended + absent === 0 ? null : attended / (attended + absent),
        meetings,
      };
    });
