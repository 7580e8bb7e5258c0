import type { AgendaMeeting } from '../../projections/agenda.js';
import type { ParticipantAttendance } from '../../projections/attendance.js';
import type { TimelineEntry } from '../../projections/timeline.js';

const CRLF = '\r\n';
const NEEDS_QUOTES = /[",\r\n]/;
// Spreadsheets run a cell that starts with one of these as a formula (OWASP "CSV injection"): a
// meeting title like `=HYPERLINK(...)` typed by anyone who can schedule would run on the reporter's
// machine. A leading `'` makes the cell plain text; the cost is one visible quote in such cells.
const FORMULA_START = /^[=+\-@\t\r]/;

const asText = (value: unknown): string => {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(asText).join('; ');
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
};

const field = (value: unknown): string => {
  const text = asText(value);
  // A number we formatted (say -0.5) is data, not a formula, and must stay a number in the sheet.
  const guarded = typeof value !== 'number' && FORMULA_START.test(text) ? `'${text}` : text;
  return NEEDS_QUOTES.test(guarded) ? `"${guarded.replaceAll('"', '""')}"` : guarded;
};

const record = (values: readonly unknown[]): string => `${values.map(field).join(',')}${CRLF}`;

/**
 * RFC 4180 CSV: a header row of `columns`, then one record per row in column order, every record
 * ending in CRLF. Null and undefined are empty, arrays are joined with `; `.
 */
export const toCsv = (columns: readonly string[], rows: readonly Record<string, unknown>[]): string =>
  record(columns) + rows.map((row) => record(columns.map((column) => row[column]))).join('');

const agendaColumns = [
  'meetingId',
  'title',
  'forum',
  'status',
  'startsAt',
  'endsAt',
  'location',
  'host',
  'agendaItems',
  'observers',
  'cancellationReason',
] as const;

/** One row per meeting; agenda items and observers by title and name, in order. */
export const agendaCsv = (meetings: readonly AgendaMeeting[]): string =>
  toCsv(
    agendaColumns,
    meetings.map((m) => ({
      ...m,
      agendaItems: m.agenda.map((item) => item.title),
      observers: m.observers.map((observer) => observer.name),
    })),
  );

const attendanceColumns = [
  'participantId',
  'name',
  'role',
  'meetingId',
  'title',
  'forum',
  'startsAt',
  'meetingStatus',
  'invited',
  'status',
] as const;

/** One row per participant and meeting; a participant with no meetings still has a row, its meeting columns empty. */
export const attendanceCsv = (participants: readonly ParticipantAttendance[]): string =>
  toCsv(
    attendanceColumns,
    participants.flatMap(({ participantId, name, role, meetings }) => {
      const who = { participantId, name, role };
      return meetings.length === 0 ? [who] : meetings.map((meeting) => ({ ...who, ...meeting }));
    }),
  );

const timelineColumns = [
  'date',
  'theatre',
  'stage',
  'regression',
  'kind',
  'summary',
  'meetingId',
  'outcomeId',
] as const;

/** One row per timeline entry, in the timeline's order. */
export const timelineCsv = (entries: readonly TimelineEntry[]): string => toCsv(timelineColumns, entries);
