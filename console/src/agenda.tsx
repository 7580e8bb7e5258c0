import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { api } from './api.js';
import { mount } from './dom.js';
import { CsvButton, IcsLink, queryOf } from './downloads.js';
import { meetingHref } from './links.js';
import { changesAgenda, useLiveRead } from './live.js';
import { LiveSection } from './liveSection.js';

type Meeting = {
  meetingId: string;
  title: string;
  forum: string;
  status: string;
  location: string;
  startsAt: string;
  agenda: { itemId: string; title: string }[];
  observers: { observerId: string; name: string; kind: string }[];
};
type AgendaPage = { position: number; meetings: Meeting[]; next: string | null };

/** Pages followed at most: the console shows a bounded list, a filter narrows it. */
const MAX_PAGES = 10;

/** The filters of GET /v1/agenda, as the form holds them: dates (YYYY-MM-DD, UTC) and slugs, '' for none. */
export type AgendaFilters = { from: string; to: string; forum: string; status: string };

const STATUSES = ['scheduled', 'rescheduled', 'cancelled', 'closed'];
const SINCE_EVER = '1970-01-01';

/** The route's query for the filters: days become instants at 00:00 UTC, `to` excluded as the API does. */
const agendaQuery = ({ from, to, forum, status }: AgendaFilters): string =>
  queryOf({
    from: `${from || SINCE_EVER}T00:00:00Z`,
    to: to && `${to}T00:00:00Z`,
    forum,
    status,
  });

/** Every page of the agenda the filters select, following `next`: later pages answer as of the first one's position. */
const loadAgenda = async (filters: AgendaFilters): Promise<Meeting[]> => {
  const meetings: Meeting[] = [];
  const query = `/v1/agenda${agendaQuery(filters)}&limit=100`;
  let path: string | undefined = query;
  for (let pages = 0; path !== undefined && pages < MAX_PAGES; pages += 1) {
    const page: AgendaPage = await api<AgendaPage>('GET', path);
    meetings.push(...page.meetings);
    path = page.next === null ? undefined : `${query}&cursor=${encodeURIComponent(page.next)}`;
  }
  return meetings;
};

/** A meeting's agenda items, in order (nothing for none). */
export const AgendaItems = ({ items }: { items: { itemId: string; title: string }[] }) =>
  items.length > 0 && (
    <ol class="items">
      {items.map((item) => (
        <li key={item.itemId}>{item.title}</li>
      ))}
    </ol>
  );

const MeetingCard = ({ meeting }: { meeting: Meeting }) => (
  <article class={`meeting status-${meeting.status}`} data-meeting-id={meeting.meetingId}>
    <h4>
      <a href={meetingHref(meeting.meetingId)} class="meeting-link">
        {meeting.title}
      </a>
    </h4>
    <p class="facts">
      <time datetime={meeting.startsAt}>{meeting.startsAt.slice(11, 16)}</time>
      {` · ${meeting.forum} · ${meeting.location} · `}
      <span class="status">{meeting.status}</span>
    </p>
    <AgendaItems items={meeting.agenda} />
    {meeting.observers.length > 0 && (
      <p class="observers">{`Observers: ${meeting.observers.map((o) => o.name).join(', ')}`}</p>
    )}
  </article>
);

/** Meetings grouped by their day (the date part of startsAt, as recorded). */
const byDay = (meetings: Meeting[]): Map<string, Meeting[]> => {
  const days = new Map<string, Meeting[]>();
  for (const meeting of meetings) {
    const day = meeting.startsAt.slice(0, 10);
    days.set(day, [...(days.get(day) ?? []), meeting]);
  }
  return days;
};

const Field = ({ id, label, children }: { id: string; label: string; children: ComponentChildren }) => (
  <span class="field">
    <label for={id}>{label}</label>
    {children}
  </span>
);

/** The filters as typed: applied (the list read again) when the form is sent. */
const FilterForm = ({ filters, apply }: { filters: AgendaFilters; apply: (filters: AgendaFilters) => void }) => {
  const [draft, setDraft] = useState(filters);
  const edit = (name: keyof AgendaFilters) => (event: Event) =>
    setDraft((before) => ({ ...before, [name]: (event.currentTarget as HTMLInputElement).value }));
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    apply({ ...draft, forum: draft.forum.trim() });
  };
  return (
    <form class="filters" aria-label="Agenda filters" onSubmit={submit}>
      <Field id="agenda-from" label="From">
        <input id="agenda-from" type="date" value={draft.from} onInput={edit('from')} />
      </Field>
      <Field id="agenda-to" label="Before">
        <input id="agenda-to" type="date" value={draft.to} onInput={edit('to')} />
      </Field>
      <Field id="agenda-forum" label="Forum">
        <input
          id="agenda-forum"
          type="text"
          value={draft.forum}
          onInput={edit('forum')}
          placeholder="plenary, working-group/…"
          pattern="[a-z0-9]+(-[a-z0-9]+)*(/[a-z0-9]+(-[a-z0-9]+)*)?"
          title="A forum slug, such as plenary or working-group/foreign-fighters"
        />
      </Field>
      <Field id="agenda-status" label="Status">
        <select id="agenda-status" value={draft.status} onChange={edit('status')}>
          <option value="">any</option>
          {STATUSES.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </Field>
      <button type="submit">Show</button>
    </form>
  );
};

const Days = ({ meetings }: { meetings: Meeting[] }) => (
  <>
    {[...byDay(meetings)].map(([day, ofDay]) => (
      <section key={day} class="day">
        <h3>
          <time datetime={day}>{day}</time>
        </h3>
        {ofDay.map((meeting) => (
          <MeetingCard key={meeting.meetingId} meeting={meeting} />
        ))}
      </section>
    ))}
  </>
);

/** The agenda page: the filters of /v1/agenda, its exports, and the meetings by day, each linked to its page. */
const Agenda = ({ initial }: { initial: AgendaFilters }) => {
  const [filters, setFilters] = useState(initial);
  const read = useLiveRead(() => loadAgenda(filters), agendaQuery(filters), changesAgenda);
  const draw = (meetings: Meeting[]) =>
    meetings.length === 0 ? <p>No meetings match these filters.</p> : <Days meetings={meetings} />;
  return (
    <>
      <h2>Agenda</h2>
      <FilterForm filters={filters} apply={setFilters} />
      <p class="exports">
        <CsvButton path={`/v1/agenda${agendaQuery(filters)}`} name="agenda.csv" />{' '}
        <IcsLink path={`/v1/agenda.ics${agendaQuery(filters)}`} />
      </p>
      <LiveSection id="agenda" read={read} loading="Loading the agenda…" draw={draw} />
    </>
  );
};

export const agendaPage = (
  main: HTMLElement,
  filters: AgendaFilters = { from: SINCE_EVER, to: '', forum: '', status: '' },
): Promise<void> => {
  mount(main, <Agenda initial={filters} />);
  return Promise.resolve();
};
