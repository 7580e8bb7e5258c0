import type { AgendaItem, Attendance, Observer, Outcome, ScheduledMeeting } from './meeting.js';

/** A meeting as it is shown: its collections as arrays in the state's order. */
export type MeetingView = Omit<ScheduledMeeting, 'agenda' | 'observers' | 'attendance' | 'outcomes'> & {
  agenda: AgendaItem[];
  observers: Observer[];
  attendance: Attendance[];
  /** Each outcome with `corrections` (how many) and `history` (the latest ones, oldest first). */
  outcomes: Outcome[];
};

/**
 * The one place a meeting's state becomes what callers see. The state keeps changing in place after
 * this returns, so outcomes (the only records the state changes) and their histories are copied.
 */
export const meetingView = (meeting: ScheduledMeeting): MeetingView => ({
  ...meeting,
  agenda: [...meeting.agenda.values()],
  observers: [...meeting.observers.values()],
  attendance: [...meeting.attendance.values()],
  outcomes: Array.from(meeting.outcomes.values(), (outcome) => ({ ...outcome, history: [...outcome.history] })),
});
