import { api } from './api.js';
import { h, show } from './dom.js';
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

/**
 * Every page of the agenda from the start of `from` (YYYY-MM-DD, UTC), following `next`: later pages
 * answer as of the position the first one did.
 */
const loadAgenda = async (from: string): Promise<Meeting[]> => {
  const meetings: Meeting[] = [];
  const query = `/v1/agenda?from=${encodeURIComponent(`${from}T00:00:00Z`)}&limit=100`;
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
    h('h4', {}, meeting.title),
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

/** The agenda page: a from-date filter and the meetings by day. */
export const agendaPage = async (main: HTMLElement, from = '1970-01-01'): Promise<void> => {
  const fromInput = h('input', { id: 'agenda-from', type: 'date', value: from });
  const filter = h(
    'form',
    { class: 'filters' },
    h('label', { for: 'agenda-from' }, 'From'),
    fromInput,
    h('button', { type: 'submit' }, 'Show'),
  );
  filter.addEventListener('submit', (event) => {
    event.preventDefault();
    void agendaPage(main, fromInput.value || '1970-01-01');
  });
  const list = h('section', { id: 'agenda', 'aria-busy': 'true' }, h('p', {}, 'Loading the agenda…'));
  show(main, h('h2', {}, 'Agenda'), filter, list);
  whileShown(list, changesAgenda, () => agendaPage(main, from));
  const meetings = await loadAgenda(from);
  list.setAttribute('aria-busy', 'false');
  if (meetings.length === 0) return show(list, h('p', {}, 'No meetings from this date.'));
  show(
    list,
    ...[...byDay(meetings)].map(([day, ofDay]) =>
      h('section', { class: 'day' }, h('h3', {}, h('time', { datetime: day }, day)), ...ofDay.map(meetingCard)),
    ),
  );
};
