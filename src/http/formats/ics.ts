import type { AgendaMeeting } from '../../projections/agenda/agendaQueries.js';

const CRLF = '\r\n';
const MAX_LINE_OCTETS = 75;

export type AgendaIcsOptions = {
  /** The PRODID, e.g. `-//meeting-ledger//agenda//EN`. */
  productId: string;
  /** The DTSTAMP of a meeting's VEVENT, an ISO instant; it comes from the caller so the output is reproducible. */
  stampFor: (meeting: AgendaMeeting) => string;
};

/** An ISO instant as an RFC 5545 UTC DATE-TIME: `2017-07-13T13:00:00.000Z` -> `20170713T130000Z`. */
const utc = (iso: string): string =>
  new Date(iso)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');

// RFC 5545 3.3.11. Control characters other than tab are not allowed in TEXT at all, so they are dropped.
const text = (value: string): string =>
  value
    .replace(/[\\;,]/g, (c) => `\\${c}`)
    .replace(/\r\n|\r|\n/g, '\\n')
    // eslint-disable-next-line no-control-regex
    .replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '');

const utf8Length = (char: string): number => {
  const codePoint = char.codePointAt(0) ?? 0;
  return codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
};

/** RFC 5545 3.1: lines longer than 75 octets continue on lines starting with a space, never inside a character. */
const fold = (line: string): string => {
  const lines: string[] = [];
  let current = '';
  let octets = 0;
  for (const char of line) {
    const size = utf8Length(char);
    if (octets + size > MAX_LINE_OCTETS) {
      lines.push(current);
      current = ' ';
      octets = 1;
    }
    current += char;
    octets += size;
  }
  lines.push(current);
  return lines.join(CRLF);
};

/**
 * RFC 5545 3.6.1: a VEVENT with a DATE-TIME start and neither DTEND nor DURATION ends when it starts,
 * which calendars draw as a zero-length sliver or drop. A meeting recorded without an end is given
 * this duration, the default event length of common calendar apps, and its description says so.
 */
export const UNRECORDED_END_DURATION = 'PT1H';

const description = (m: AgendaMeeting): string =>
  [
    `Forum: ${m.forum}`,
    ...(m.host === null ? [] : [`Host: ${m.host}`]),
    ...(m.endsAt === null ? ['End: not recorded (shown as one hour)'] : []),
    ...(m.agenda.length === 0 ? [] : ['Agenda:', ...m.agenda.map((item, index) => `${index + 1}. ${item.title}`)]),
  ].join('\n');

const vevent = (m: AgendaMeeting, stamp: string): string[] => [
  'BEGIN:VEVENT',
  `UID:${text(`${m.meetingId}@meeting-ledger`)}`,
  `DTSTAMP:${utc(stamp)}`,
  `DTSTART:${utc(m.startsAt)}`,
  m.endsAt === null ? `DURATION:${UNRECORDED_END_DURATION}` : `DTEND:${utc(m.endsAt)}`,
  `SUMMARY:${text(m.title)}`,
  `LOCATION:${text(m.location)}`,
  `DESCRIPTION:${text(description(m))}`,
  `STATUS:${m.status === 'cancelled' ? 'CANCELLED' : 'CONFIRMED'}`,
  `SEQUENCE:${m.sequence}`,
  `CATEGORIES:${text(m.forum)}`,
  'END:VEVENT',
];

const lines = (content: readonly string[]): string => content.map((line) => fold(line) + CRLF).join('');

/** The calendar's opening lines; then `icsEvents` for each page of meetings, then `ICS_END`. */
export const icsBegin = (options: AgendaIcsOptions): string =>
  lines(['BEGIN:VCALENDAR', 'VERSION:2.0', `PRODID:${text(options.productId)}`, 'CALSCALE:GREGORIAN']);

/** One VEVENT per meeting. */
export const icsEvents = (meetings: readonly AgendaMeeting[], options: AgendaIcsOptions): string =>
  lines(meetings.flatMap((m) => vevent(m, options.stampFor(m))));

export const ICS_END = lines(['END:VCALENDAR']);

/** The agenda as an RFC 5545 calendar: one VEVENT per meeting, times in UTC, CRLF lines folded at 75 octets. */
export const agendaIcs = (meetings: readonly AgendaMeeting[], options: AgendaIcsOptions): string =>
  icsBegin(options) + icsEvents(meetings, options) + ICS_END;
