import type { AgendaQuery, AgendaReader } from '../projections/agenda/agendaQueries.js';
import type { AttendanceQuery, AttendanceReader, MeetingKey } from '../projections/attendance/attendanceQueries.js';
import type { TimelineQuery, TimelineReader } from '../projections/timeline/timelineQueries.js';
import { yieldToEventLoop } from '../eventStore/fairTurns.js';
import {
  agendaColumns,
  agendaCsvRecords,
  attendanceColumns,
  attendanceCsvRecords,
  csvHeader,
  timelineColumns,
  timelineCsvRecords,
} from './formats/csv.js';
import { ICS_END, icsBegin, icsEvents, type AgendaIcsOptions } from './formats/ics.js';

/**
 * Whole exports, written a page at a time as the client reads them: memory stays one page whatever
 * the ledger's size, the event loop is given back between pages, and every page reads the same
 * position, so an export is one consistent state even while the log grows under it.
 */
const EXPORT_PAGE = 500;

export async function* agendaCsvExport(reader: AgendaReader, query: AgendaQuery, at: number) {
  yield csvHeader(agendaColumns);
  for (const meetings of agendaPages(reader, query, at)) {
    yield agendaCsvRecords(meetings);
    await yieldToEventLoop();
  }
}

export async function* agendaIcsExport(
  reader: AgendaReader,
  query: AgendaQuery,
  at: number,
  options: AgendaIcsOptions,
) {
  yield icsBegin(options);
  for (const meetings of agendaPages(reader, query, at)) {
    yield icsEvents(meetings, options);
    await yieldToEventLoop();
  }
  yield ICS_END;
}

function* agendaPages(reader: AgendaReader, query: AgendaQuery, at: number) {
  for (let after = undefined, more = true; more;) {
    const page = reader.page(query, at, EXPORT_PAGE, after);
    yield page.meetings;
    more = page.next !== null;
    after = page.next ?? undefined;
  }
}

/** One record per participant and meeting; the participants in `participantIds` order, or all of them. */
export async function* attendanceCsvExport(reader: AttendanceReader, query: AttendanceQuery, at: number) {
  yield csvHeader(attendanceColumns);
  for (let after: string | undefined, more = true; more;) {
    const page = reader.participants(query, at, EXPORT_PAGE, after);
    for (const participant of page.participants) {
      let first = true;
      for (let from: MeetingKey | undefined, rest = true; rest;) {
        const { meetings, next } = reader.meetings(participant.participantId, query, at, EXPORT_PAGE, from);
        // A participant with no meetings in range still has its one record.
        if (meetings.length > 0 || first) yield attendanceCsvRecords([{ ...summaryless(participant), meetings }]);
        first = false;
        rest = next !== null;
        from = next ?? undefined;
        await yieldToEventLoop();
      }
    }
    more = page.next !== null;
    after = page.next ?? undefined;
  }
}

// The CSV carries no counts: a spreadsheet computes them from the records.
const summaryless = (participant: { participantId: string; name: string; role: 'member' | 'observer' }) => ({
  ...participant,
  invited: 0,
  attended: 0,
  absent: 0,
  rate: null,
});

export async function* timelineCsvExport(reader: TimelineReader, query: TimelineQuery, at: number) {
  yield csvHeader(timelineColumns);
  for (let after = undefined, more = true; more;) {
    const page = reader.entries(query, at, EXPORT_PAGE, after);
    yield timelineCsvRecords(page.entries);
    more = page.next !== null;
    after = page.next ?? undefined;
    await yieldToEventLoop();
  }
}
