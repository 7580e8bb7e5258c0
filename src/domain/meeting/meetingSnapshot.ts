import type { AgendaItem, Attendance, Meeting, Observer, Outcome, ScheduledMeeting } from './meeting.js';

/**
 * The shape of a meeting written as JSON. Bump it with any change to the meeting state or to what
 * evolveMeeting keeps (RECENT_CORRECTIONS included): snapshots of another version are not used.
 */
export const MEETING_SNAPSHOT_VERSION = 1;

type Collections = 'agenda' | 'observers' | 'attendance' | 'outcomes';
type MeetingJson =
  | { status: 'none' }
  | (Omit<ScheduledMeeting, Collections> & {
      agenda: [string, AgendaItem][];
      observers: [string, Observer][];
      attendance: [string, Attendance][];
      outcomes: [string, Outcome][];
    });

/** The meeting as JSON, each Map as its [id, value] entries in order. Serialise it before the state changes. */
export const meetingToJson = (meeting: Meeting): MeetingJson =>
  meeting.status === 'none'
    ? meeting
    : {
        ...meeting,
        agenda: [...meeting.agenda],
        observers: [...meeting.observers],
        attendance: [...meeting.attendance],
        outcomes: [...meeting.outcomes],
      };

const isEntries = (value: unknown): value is [string, never][] =>
  Array.isArray(value) && value.every((entry) => Array.isArray(entry) && typeof entry[0] === 'string');

/** A meeting read back from `meetingToJson`'s output (parsed); throws on anything else. */
export const meetingFromJson = (json: unknown): Meeting => {
  const meeting = json as MeetingJson;
  if (typeof json !== 'object' || json === null || typeof meeting.status !== 'string') {
    throw new TypeError('not a meeting');
  }
  if (meeting.status === 'none') return { status: 'none' };
  const { agenda, observers, attendance, outcomes } = meeting;
  if (![agenda, observers, attendance, outcomes].every(isEntries)) throw new TypeError('not a meeting');
  return {
    ...meeting,
    agenda: new Map(agenda),
    observers: new Map(observers),
    attendance: new Map(attendance),
    outcomes: new Map(outcomes),
  };
};
