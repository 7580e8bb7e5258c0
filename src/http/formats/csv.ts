import type { AgendaMeeting } from '../../projections/agenda/agendaQueries.js';
import type { ParticipantAttendance } from '../../projections/attendance/attendanceQueries.js';
import type { TimelineEntry } from '../../projections/timeline/timelineQueries.js';

const CRLF = '\r\n';
// OWASP "CSV Injection" (owasp.org/www-community/attacks/CSV_Injection, as of 2025-08): a spreadsheet
// runs a cell that starts with = + - @ TAB CR or LF as a formula, and "it is not sufficient" to look at
// the start of the value alone: a separator inside it (`,` `;` TAB `|`, whichever the reader's locale
// splits on) starts a new cell whose first character is then dangerous. So, as that page advises,
// every text field is wrapped in double quotes (embedded quotes doubled) and a dangerous first
// character gets a leading `'`; and, for readers that ignore the quotes, so does a dangerous character
// right after a separator (`Progress noted;=40+2;` becomes `"Progress noted;'=40+2;"`). The cost is a
// visible quote in such cells: a meeting title like `=HYPERLINK(...)`, typed by anyone who can
// schedule, must never run on a reporter's machine.
const FORMULA_START = /^[=+\-@\t\r\n]/;
const FORMULA_AFTER_SEPARATOR = /([,;\t|] *)(?=[=+\-@\t\r\n])/g;

const asText = (value: unknown): string => {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(asText).join('; ');
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
};

/** Text a spreadsheet reads as text: quoted, and with every place a formula could start defused. */
const textField = (text: string): string => {
  const defused = (FORMULA_START.test(text) ? `'${text}` : text).replace(FORMULA_AFTER_SEPARATOR, "$1'");
  return `"${defused.replaceAll('"', '""')}"`;
};

const field = (value: unknown): string => {
  if (value === null || value === undefined) return '';
  // A number or a flag we formatted (say -0.5) is data, not a formula, and must stay a number in the sheet.
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return textField(asText(value));
};

const record = (values: readonly unknown[]): string => `${values.map(field).join(',')}${CRLF}`;

/** The records of `rows` in column order, each ending in CRLF: a CSV body without its header. */
export const csvRecords = (columns: readonly string[], rows: readonly Record<string, unknown>[]): string =>
  rows.map((row) => record(columns.map((column) => row[column]))).join('');

/** The header row of `columns`. */
export const csvHeader = (columns: readonly string[]): string => record(columns);

/**
 * RFC 4180 CSV: a header row of `columns`, then one record per row in column order, every record
 * ending in CRLF. Null and undefined are empty, arrays are joined with `; `.
 */
export const toCsv = (columns: readonly string[], rows: readonly Record<string, unknown>[]): string =>
  csvHeader(columns) + csvRecords(columns, rows);

export const agendaColumns = [
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

/** One record per meeting; agenda items and observers by title and name, in order. */
export const agendaCsvRecords = (meetings: readonly AgendaMeeting[]): string =>
  csvRecords(
    agendaColumns,
    meetings.map((m) => ({
      ...m,
      agendaItems: m.agenda.map((item) => item.title),
      observers: m.observers.map((observer) => observer.name),
    })),
  );

export const agendaCsv = (meetings: readonly AgendaMeeting[]): string =>
  csvHeader(agendaColumns) + agendaCsvRecords(meetings);

export const attendanceColumns = [
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

/** One record per participant and meeting; a participant with no meetings still has one, its meeting columns empty. */
export const attendanceCsvRecords = (participants: readonly ParticipantAttendance[]): string =>
  csvRecords(
    attendanceColumns,
    participants.flatMap(({ participantId, name, role, meetings }) => {
      const who = { participantId, name, role };
      return meetings.length === 0 ? [who] : meetings.map((meeting) => ({ ...who, ...meeting }));
    }),
  );

export const attendanceCsv = (participants: readonly ParticipantAttendance[]): string =>
  csvHeader(attendanceColumns) + attendanceCsvRecords(participants);

export const timelineColumns = [
  'date',
  'theatre',
  'stage',
  'regression',
  'corrected',
  'kind',
  'summary',
  'meetingId',
  'outcomeId',
] as const;

/** One record per timeline entry, in the timeline's order; `corrected` is true once an amendment changed the entry. */
export const timelineCsvRecords = (entries: readonly TimelineEntry[]): string => csvRecords(timelineColumns, entries);

export const timelineCsv = (entries: readonly TimelineEntry[]): string =>
  csvHeader(timelineColumns) + timelineCsvRecords(entries);
