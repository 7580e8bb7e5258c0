import type { ComponentChild } from 'preact';
import { api, type LedgerEvent } from './api.js';
import { mount } from './dom.js';
import { auditHref } from './links.js';
import { AgendaItems } from './agenda.js';
import { changesMeeting, useLiveRead } from './live.js';
import { LiveSection } from './liveSection.js';

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

const Facts = ({ meeting }: { meeting: MeetingState }) => {
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
  return (
    <dl class="facts-list">
      {rows.flatMap(([name, value]) =>
        value === null ? [] : [<dt key={`${name}-dt`}>{name}</dt>, <dd key={name}>{value}</dd>],
      )}
    </dl>
  );
};

const described = ({ summary, stage, theatre }: Correctable): string =>
  [summary, theatre && `${theatre}${stage ? `: ${stage}` : ''}`].filter(Boolean).join(' · ');

const CorrectionItem = ({ item }: { item: Correction }) =>
  item.kind === 'amended' ? (
    <li>
      <strong>Amended</strong>
      {`: ${item.reason} (before: ${described(item.previous)})`}
    </li>
  ) : (
    <li>
      <strong>Retracted</strong>
      {`: ${item.reason}`}
    </li>
  );

const OutcomeCard = ({ outcome }: { outcome: Outcome }) => (
  <article class={`outcome outcome-${outcome.status}`} data-outcome-id={outcome.outcomeId}>
    <h4>{`${outcome.kind}${outcome.status === 'retracted' ? ' (retracted)' : ''}`}</h4>
    <p>{described(outcome)}</p>
    {outcome.occurredOn && <p class="facts">{`Occurred on ${outcome.occurredOn}`}</p>}
    {outcome.corrections > 0 && (
      <section class="corrections">
        <h5>
          {outcome.corrections > outcome.history.length
            ? `Corrections: ${outcome.corrections} (the latest ${outcome.history.length} shown; every one is in the events below)`
            : `Corrections: ${outcome.corrections}`}
        </h5>
        <ol>
          {outcome.history.map((item, i) => (
            <CorrectionItem key={i} item={item} />
          ))}
        </ol>
      </section>
    )}
  </article>
);

type TableProps = { caption: string; headings: string[]; rows: ComponentChild[][]; id?: string };

const Table = ({ caption, headings, rows, id }: TableProps) => (
  <div class="table-scroll">
    <table id={id}>
      <caption>{caption}</caption>
      <thead>
        <tr>
          {headings.map((heading) => (
            <th key={heading} scope="col">
              {heading}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((cells, r) => (
          <tr key={r}>
            {cells.map((cell, c) => (
              <td key={c}>{cell}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  </div>
);

/** An event's row; for auditors its position links to the check of its inclusion in the signed log. */
const eventRow =
  (canAudit: boolean) =>
  (event: LedgerEvent): ComponentChild[] => [
    String(event.revision),
    canAudit ? (
      <a href={auditHref(event.position)} title="Verify its inclusion in the signed log">
        {String(event.position)}
      </a>
    ) : (
      String(event.position)
    ),
    event.type,
    event.recordedAt,
    typeof event.metadata.actor === 'string' ? event.metadata.actor : '',
  ];

type Loaded = { meeting: MeetingState; events: LedgerEvent[]; complete: boolean };

const loadMeeting = async (meetingId: string): Promise<Loaded> => {
  const path = `/v1/meetings/${encodeURIComponent(meetingId)}`;
  const [meeting, { events, complete }] = await Promise.all([api<MeetingState>('GET', path), loadEvents(meetingId)]);
  return { meeting, events, complete };
};

const MeetingShown = ({ meeting, events, complete, canAudit }: Loaded & { canAudit: boolean }) => (
  <>
    <h2>{meeting.title}</h2>
    <Facts meeting={meeting} />
    {meeting.agenda.length > 0 && <h3>Agenda</h3>}
    <AgendaItems items={meeting.agenda} />
    {meeting.observers.length > 0 && (
      <Table
        caption="Observers"
        headings={['Observer', 'Kind', 'Session']}
        rows={meeting.observers.map((o) => [o.name, o.kind, o.session ?? 'whole meeting'])}
      />
    )}
    {meeting.attendance.length > 0 && (
      <Table
        caption="Attendance"
        headings={['Participant', 'Role', 'Status']}
        rows={meeting.attendance.map((a) => [a.participantId, a.role, a.status])}
      />
    )}
    <h3>Outcomes</h3>
    {meeting.outcomes.length > 0 ? (
      <div>
        {meeting.outcomes.map((outcome) => (
          <OutcomeCard key={outcome.outcomeId} outcome={outcome} />
        ))}
      </div>
    ) : (
      <p>None recorded.</p>
    )}
    <Table
      caption="Events, in order"
      headings={['Revision', 'Position', 'Type', 'Recorded', 'Actor']}
      rows={events.map(eventRow(canAudit))}
      id="meeting-events"
    />
    {!complete && <p>{`Showing the first ${events.length} events.`}</p>}
  </>
);

/** One meeting: its state as its stream tells it now, its outcomes with their corrections, its events in order. */
const MeetingPage = ({ meetingId, canAudit }: { meetingId: string; canAudit: boolean }) => {
  const read = useLiveRead(() => loadMeeting(meetingId), meetingId, changesMeeting(meetingId));
  const draw = (loaded: Loaded) => <MeetingShown {...loaded} canAudit={canAudit} />;
  return <LiveSection id="meeting" read={read} loading="Loading the meeting…" draw={draw} />;
};

export const meetingPage = (main: HTMLElement, meetingId: string, canAudit = false): Promise<void> => {
  mount(main, <MeetingPage meetingId={meetingId} canAudit={canAudit} />);
  return Promise.resolve();
};
