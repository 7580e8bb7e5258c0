import type Database from 'better-sqlite3';
import { AgendaReader, type AgendaKey, type AgendaMeeting, type AgendaQuery } from './agenda/agendaQueries.js';
import {
  AttendanceReader,
  type AttendanceQuery,
  type MeetingKey,
  type ParticipantAttendance,
} from './attendance/attendanceQueries.js';
import type { ProjectionName } from './catalog.js';
import {
  TimelineReader,
  type EntryKey,
  type TheatreStatus,
  type TimelineEntry,
  type TimelineQuery,
} from './timeline/timelineQueries.js';

/** Follows `next` from the first page to the last, handing out each page's items. */
function* pages<T, K>(page: (after: K | undefined) => { items: T[]; next: K | null }): Generator<T> {
  for (let after: K | undefined, more = true; more;) {
    const { items, next } = page(after);
    yield* items;
    more = next !== null;
    after = next ?? undefined;
  }
}

export const wholeAgenda = (db: Database.Database, query: AgendaQuery, at: number, pageSize: number) => {
  const reader = new AgendaReader(db);
  return pages<AgendaMeeting, AgendaKey>((after) => {
    const { meetings, next } = reader.page(query, at, pageSize, after);
    return { items: meetings, next };
  });
};

export function* wholeAttendance(
  db: Database.Database,
  query: AttendanceQuery,
  at: number,
  pageSize: number,
): Generator<ParticipantAttendance> {
  const reader = new AttendanceReader(db);
  const participants = pages((after: string | undefined) => {
    const { participants: items, next } = reader.participants(query, at, pageSize, after);
    return { items, next };
  });
  for (const participant of participants) {
    const meetings = pages((after: MeetingKey | undefined) => {
      const { meetings: items, next } = reader.meetings(participant.participantId, query, at, pageSize, after);
      return { items, next };
    });
    yield { ...reader.summary(participant, query, at), meetings: [...meetings] };
  }
}

export const wholeTimeline = (db: Database.Database, query: TimelineQuery, at: number, pageSize: number) => {
  const reader = new TimelineReader(db);
  const entries = pages<TimelineEntry, EntryKey>((after) => {
    const { entries: items, next } = reader.entries(query, at, pageSize, after);
    return { items, next };
  });
  return { entries, theatres: (): TheatreStatus[] => reader.theatres(query, at) };
};

/**
 * Everything a projection answers as of `at`, unfiltered, one item at a time: what `replay` prints
 * and what `audit replay` digests to compare a replay from zero with the live rows.
 */
export function* wholeView(
  name: ProjectionName,
  db: Database.Database,
  at: number,
  pageSize = 500,
): Generator<unknown> {
  switch (name) {
    case 'agenda':
      yield* wholeAgenda(db, {}, at, pageSize);
      return;
    case 'attendance':
      yield* wholeAttendance(db, {}, at, pageSize);
      return;
    case 'timeline': {
      const { entries, theatres } = wholeTimeline(db, {}, at, pageSize);
      yield* entries;
      yield* theatres();
      return;
    }
  }
}
