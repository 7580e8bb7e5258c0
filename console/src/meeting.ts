import { api } from './api.js';
import { h, show } from './dom.js';
import { auditHref } from './links.js';
import { changesMeeting, whileShown } from './live.js';

type Correctable = { summary: string; stage: string | null; theatre: string | null };
type Correction = { kind: 'amended'; reason: string; previous: Correctable } | { kind: 'retracted'; reason: string };
type Outcome = Correctable & {
  outcomeId: string;
  kind: string;
  occurredOn: string | null;
  status: 'standing' | 'retracted';
  corrections: number;
  history: Correction[];
};
type MeetingState = {
  meetingId: string;
  title: string;
  forum: string;
  status: string;
  startsAt: string;
  endsAt: string | null;
  location: string;
  host: string | null;
  cancellationReason: string | null;
  revision: number;
  agenda: { itemId: string; title: string }[];
  observers: { observerId: string; name: string; kind: string; session: string | null }[];
  attendance: { participantId: string; role: string; status: string }[];
  outcomes: Outcome[];
};
export type LedgerEvent = {
  position: number;
  streamId: string;
  revision: number;
  eventId: string;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
  recordedAt: string;
};
type EventsPage = { events: LedgerEvent[]; next: number | null };

/** Pages of events followed at most: a meeting holds hundreds of events, not millions. */
const MAX_PAGES = 20;

const loadEvents = async (meetingId: string): Promise<{ events: LedgerEvent[]; complete: boolean }> => {
  const events: LedgerEvent[] = [];
  let next: number | null = 0;
  for (let pages = 0; next !== null && pages < MAX_PAGES; pages += 1) {
    const path = `/v1/meetings/${encodeURIComponent(meetingId)}/events?fromRevision=${next}&limit=500`;
    const page: EventsPage = await api<EventsPage>('GET', path);
    events.push(...page.events);
    next = page.next;
  }
  return { events, complete: next === null };
};

const facts = (meeting: MeetingState): HTMLElement => {
  const rows: [string, string | null][] = [
    ['Status', meeting.status],
    ['Forum', meeting.forum],
    ['Starts', meeting.startsAt],
    ['Ends', meeting.endsAt],
    ['Location', meeting.location],
    ['Host', meeting.host],
    ['Cancelled because', meeting.cancellationReason],
    ['Revision', String(meeting.revision)],
  ];
  return h(
    'dl',
    { class: 'facts-list' },
    ...rows.flatMap(([name, value]) => (value === null ? [] : [h('dt', {}, name), h('dd', {}, value)])),
  );
};

const described = ({ summary, stage, theatre }: Correctable): string =>
  [summary, theatre && `${theatre}${stage ? `: ${stage}` : ''}`].filter(Boolean).join(' · ');

const correction = (item: Correction): HTMLElement =>
  item.kind === 'amended'
    ? h('li', {}, h('strong', {}, 'Amended'), `: ${item.reason} (before: ${described(item.previous)})`)
    : h('li', {}, h('strong', {}, 'Retracted'), `: ${item.reason}`);

const outcomeCard = (outcome: Outcome): HTMLElement =>
  h(
    'article',
    { class: `outcome outcome-${outcome.status}`, 'data-outcome-id': outcome.outcomeId },
    h('h4', {}, `${outcome.kind}${outcome.status === 'retracted' ? ' (retracted)' : ''}`),
    h('p', {}, described(outcome)),
    outcome.occurredOn && h('p', { class: 'facts' }, `Occurred on ${outcome.occurredOn}`),
    outcome.corrections > 0 &&
      h(
        'section',
        { class: 'corrections' },
        h(
          'h5',
          {},
          outcome.corrections > outcome.history.length
            ? `Corrections: ${outcome.corrections} (the latest ${outcome.history.length} shown; every one is in the events below)`
            : `Corrections: ${outcome.corrections}`,
        ),
        h('ol', {}, ...outcome.history.map(correction)),
      ),
  );

const table = (caption: string, headings: string[], rows: (string | Node)[][], id?: string): HTMLElement =>
  h(
    'div',
    { class: 'table-scroll' },
    h(
      'table',
      { ...(id && { id }) },
      h('caption', {}, caption),
      h('thead', {}, h('tr', {}, ...headings.map((heading) => h('th', { scope: 'col' }, heading)))),
      h('tbody', {}, ...rows.map((cells) => h('tr', {}, ...cells.map((cell) => h('td', {}, cell))))),
    ),
  );

/** An event's row; for auditors its position links to the check of its inclusion in the signed log. */
const eventRow =
  (canAudit: boolean) =>
  (event: LedgerEvent): (string | Node)[] => [
    String(event.revision),
    canAudit
      ? h(
          'a',
          { href: auditHref(event.position), title: 'Verify its inclusion in the signed log' },
          String(event.position),
        )
      : String(event.position),
    event.type,
    event.recordedAt,
    typeof event.metadata.actor === 'string' ? event.metadata.actor : '',
  ];

/** One meeting: its state as its stream tells it now, its outcomes with their corrections, its events in order. */
export const meetingPage = async (main: HTMLElement, meetingId: string, canAudit = false): Promise<void> => {
  const section = h('section', { id: 'meeting', 'aria-busy': 'true' }, h('p', {}, 'Loading the meeting…'));
  show(main, section);
  whileShown(section, changesMeeting(meetingId), () => meetingPage(main, meetingId, canAudit));
  const path = `/v1/meetings/${encodeURIComponent(meetingId)}`;
  const [meeting, { events, complete }] = await Promise.all([api<MeetingState>('GET', path), loadEvents(meetingId)]);
  section.setAttribute('aria-busy', 'false');
  const people = meeting.attendance.map((a) => [a.participantId, a.role, a.status]);
  show(
    section,
    h('h2', {}, meeting.title),
    facts(meeting),
    meeting.agenda.length > 0 && h('h3', {}, 'Agenda'),
    meeting.agenda.length > 0 && h('ol', { class: 'items' }, ...meeting.agenda.map((item) => h('li', {}, item.title))),
    meeting.observers.length > 0 &&
      table(
        'Observers',
        ['Observer', 'Kind', 'Session'],
        meeting.observers.map((o) => [o.name, o.kind, o.session ?? 'whole meeting']),
      ),
    people.length > 0 && table('Attendance', ['Participant', 'Role', 'Status'], people),
    h('h3', {}, 'Outcomes'),
    meeting.outcomes.length > 0 ? h('div', {}, ...meeting.outcomes.map(outcomeCard)) : h('p', {}, 'None recorded.'),
    table(
      'Events, in order',
      ['Revision', 'Position', 'Type', 'Recorded', 'Actor'],
      events.map(eventRow(canAudit)),
      'meeting-events',
    ),
    !complete && h('p', {}, `Showing the first ${events.length} events.`),
  );
};
