import { api } from './api.js';
import { h, show } from './dom.js';
import { csvButton } from './downloads.js';
import { showFailure } from './failure.js';

type Participant = {
  participantId: string;
  name: string;
  role: string;
  invited: number;
  attended: number;
  absent: number;
  rate: number | null;
};
type AttendancePage = { position: number; participants: Participant[]; next: string | null };
type Column = { key: keyof Participant; label: string; numeric: boolean };
type Order = { key: keyof Participant; descending: boolean };

const COLUMNS: Column[] = [
  { key: 'name', label: 'Participant', numeric: false },
  { key: 'role', label: 'Role', numeric: false },
  { key: 'invited', label: 'Invited', numeric: true },
  { key: 'attended', label: 'Attended', numeric: true },
  { key: 'absent', label: 'Absent', numeric: true },
  { key: 'rate', label: 'Rate', numeric: true },
];
const MAX_PAGES = 10;

const loadParticipants = async (): Promise<Participant[]> => {
  const participants: Participant[] = [];
  let path: string | undefined = '/v1/attendance?limit=100';
  for (let pages = 0; path !== undefined && pages < MAX_PAGES; pages += 1) {
    const page: AttendancePage = await api<AttendancePage>('GET', path);
    participants.push(...page.participants);
    path = page.next === null ? undefined : `/v1/attendance?limit=100&cursor=${encodeURIComponent(page.next)}`;
  }
  return participants;
};

const numberOf = (value: string | number | null): number => (typeof value === 'number' ? value : -1);

/**
 * Numbers compare as numbers (no rate sorts below every rate), text by the reader's collation; ties
 * stay in name order whichever way the column is sorted.
 */
const compare =
  ({ key, descending }: Order) =>
  (a: Participant, b: Participant): number => {
    const [x, y] = [a[key], b[key]];
    const byKey = typeof x === 'string' && typeof y === 'string' ? x.localeCompare(y) : numberOf(x) - numberOf(y);
    return (descending ? -byKey : byKey) || a.name.localeCompare(b.name);
  };

const rate = (value: number | null): string => (value === null ? '—' : `${Math.round(value * 100)}%`);

const row = (p: Participant): HTMLElement =>
  h(
    'tr',
    { 'data-participant-id': p.participantId },
    h('th', { scope: 'row' }, p.name),
    h('td', {}, p.role),
    h('td', { class: 'number' }, String(p.invited)),
    h('td', { class: 'number' }, String(p.attended)),
    h('td', { class: 'number' }, String(p.absent)),
    h('td', { class: 'number' }, rate(p.rate)),
  );

/** The table, sorted by `order`; each heading is a button that sorts by its column (again: the other way). */
const sortedTable = (participants: Participant[], order: Order, resort: (order: Order) => void): HTMLElement => {
  const sorted = [...participants].sort(compare(order));
  const heading = (column: Column): HTMLElement => {
    const current = column.key === order.key;
    const button = h('button', { type: 'button' }, column.label);
    button.addEventListener('click', () =>
      resort({ key: column.key, descending: current ? !order.descending : false }),
    );
    const sort = current ? (order.descending ? 'descending' : 'ascending') : 'none';
    return h('th', { scope: 'col', 'aria-sort': sort, class: column.numeric ? 'number' : undefined }, button);
  };
  return h(
    'div',
    { class: 'table-scroll' },
    h(
      'table',
      { id: 'attendance-table' },
      h('caption', {}, 'Invited and attended, per participant (cancelled meetings not counted)'),
      h('thead', {}, h('tr', {}, ...COLUMNS.map(heading))),
      h('tbody', {}, ...sorted.map(row)),
    ),
  );
};

/** Attendance per participant: invitations and attendance are separate facts; the rate is attended / recorded. */
export const attendancePage = async (main: HTMLElement): Promise<void> => {
  const section = h('section', { id: 'attendance', 'aria-busy': 'true' }, h('p', {}, 'Loading attendance…'));
  show(main, h('h2', {}, 'Attendance'), h('p', {}, csvButton('/v1/attendance', 'attendance.csv')), section);
  const participants = await loadParticipants().catch(showFailure(section));
  if (!participants) return;
  section.setAttribute('aria-busy', 'false');
  if (participants.length === 0) return show(section, h('p', {}, 'No attendance recorded yet.'));
  const draw = (order: Order): void => {
    show(section, sortedTable(participants, order, draw));
    section.querySelector<HTMLElement>('th[aria-sort]:not([aria-sort="none"]) button')?.focus();
  };
  show(section, sortedTable(participants, { key: 'name', descending: false }, draw));
};
