import { api } from './api.js';
import { h, show } from './dom.js';
import { csvButton, icsLink, queryOf } from './downloads.js';
import { showFailure } from './failure.js';
import { meetingLink } from './links.js';
import { changesAgenda, whileShown } from './live.js';

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

const meetingCard = (meeting: Meeting): HTMLElement =>
  h(
    'article',
    { class: `meeting status-${meeting.status}`, 'data-meeting-id': meeting.meetingId },
    h('h4', {}, meetingLink(meeting.meetingId, meeting.title)),
    h(
      'p',
      { class: 'facts' },
      h('time', { datetime: meeting.startsAt }, meeting.startsAt.slice(11, 16)),
      ` · ${meeting.forum} · ${meeting.location} · `,
      h('span', { class: 'status' }, meeting.status),
    ),
    meeting.agenda.length > 0 && h('ol', { class: 'items' }, ...meeting.agenda.map((item) => h('li', {}, item.title))),
    meeting.observers.length > 0 &&
      h('p', { class: 'observers' }, `Observers: ${meeting.observers.map((o) => o.name).join(', ')}`),
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

const field = (id: string, label: string, control: HTMLElement): HTMLElement =>
  h('span', { class: 'field' }, h('label', { for: id }, label), control);

const filterForm = (filters: AgendaFilters, apply: (filters: AgendaFilters) => void): HTMLFormElement => {
  const from = h('input', { id: 'agenda-from', type: 'date', value: filters.from });
  const to = h('input', { id: 'agenda-to', type: 'date', value: filters.to });
  const forum = h('input', {
    id: 'agenda-forum',
    type: 'text',
    value: filters.forum,
    placeholder: 'plenary, working-group/…',
    pattern: '[a-z0-9]+(-[a-z0-9]+)*(/[a-z0-9]+(-[a-z0-9]+)*)?',
    title: 'A forum slug, such as plenary or working-group/foreign-fighters',
  });
  const status = h(
    'select',
    { id: 'agenda-status' },
    h('option', { value: '' }, 'any'),
    ...STATUSES.map((name) => h('option', { value: name, selected: name === filters.status }, name)),
  );
  const form = h(
    'form',
    { class: 'filters', 'aria-label': 'Agenda filters' },
    field('agenda-from', 'From', from),
    field('agenda-to', 'Before', to),
    field('agenda-forum', 'Forum', forum),
    field('agenda-status', 'Status', status),
    h('button', { type: 'submit' }, 'Show'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    apply({ from: from.value, to: to.value, forum: forum.value.trim(), status: status.value });
  });
  return form;
};

/** The agenda page: the filters of /v1/agenda, its exports, and the meetings by day, each linked to its page. */
export const agendaPage = async (
  main: HTMLElement,
  filters: AgendaFilters = { from: SINCE_EVER, to: '', forum: '', status: '' },
): Promise<void> => {
  const list = h('section', { id: 'agenda', 'aria-busy': 'true' }, h('p', {}, 'Loading the agenda…'));
  const exports = h(
    'p',
    { class: 'exports' },
    csvButton(`/v1/agenda${agendaQuery(filters)}`, 'agenda.csv'),
    ' ',
    icsLink(`/v1/agenda.ics${agendaQuery(filters)}`),
  );
  const form = filterForm(filters, (chosen) => void agendaPage(main, chosen).catch(showFailure(main)));
  show(main, h('h2', {}, 'Agenda'), form, exports, list);
  whileShown(list, changesAgenda, () => agendaPage(main, filters));
  const meetings = await loadAgenda(filters).catch(showFailure(list));
  if (!meetings) return;
  list.setAttribute('aria-busy', 'false');
  if (meetings.length === 0) return show(list, h('p', {}, 'No meetings match these filters.'));
  show(
    list,
    ...[...byDay(meetings)].map(([day, ofDay]) =>
      h('section', { class: 'day' }, h('h3', {}, h('time', { datetime: day }, day)), ...ofDay.map(meetingCard)),
    ),
  );
};
