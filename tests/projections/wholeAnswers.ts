import type { AgendaMeeting, AgendaQuery } from '../../src/projections/agenda/agendaQueries.js';
import type { AttendanceQuery, ParticipantAttendance } from '../../src/projections/attendance/attendanceQueries.js';
import type { TheatreStatus, TimelineEntry, TimelineQuery } from '../../src/projections/timeline/timelineQueries.js';
import { wholeAgenda, wholeAttendance, wholeTimeline } from '../../src/projections/wholeViews.js';
import type { Read } from './projectionSpec.js';

/** Pages of two: every test reads across page boundaries. */
const PAGE = 2;

export const agendaOf: Read<AgendaQuery, AgendaMeeting[]> = (database, query, at) => [
  ...wholeAgenda(database.db, query, at, PAGE),
];

export const attendanceOf: Read<AttendanceQuery, ParticipantAttendance[]> = (database, query, at) => [
  ...wholeAttendance(database.db, query, at, PAGE),
];

export const timelineOf: Read<TimelineQuery, { entries: TimelineEntry[]; theatres: TheatreStatus[] }> = (
  database,
  query,
  at,
) => {
  const { entries, theatres } = wholeTimeline(database.db, query, at, PAGE);
  return { entries: [...entries], theatres: theatres() };
};
