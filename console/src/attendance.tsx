import { useState } from 'preact/hooks';
import { api } from './api.js';
import { mount } from './dom.js';
import { CsvButton } from './downloads.js';
import { changesAttendance, useLiveRead } from './live.js';
import { LiveSection } from './liveSection.js';

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

const Row = ({ p }: { p: Participant }) => (
  <tr data-participant-id={p.participantId}>
    <th scope="row">{p.name}</th>
    <td>{p.role}</td>
    <td class="number">{p.invited}</td>
    <td class="number">{p.attended}</td>
    <td class="number">{p.absent}</td>
    <td class="number">{rate(p.rate)}</td>
  </tr>
);

/**
 * The table, sorted by `order`; each heading is a button that sorts by its column (again: the other
 * way). The buttons are drawn again, not replaced, so the one pressed keeps the keyboard focus.
 */
const SortedTable = ({ participants }: { participants: Participant[] }) => {
  const [order, setOrder] = useState<Order>({ key: 'name', descending: false });
  const sorted = [...participants].sort(compare(order));
  const heading = (column: Column) => {
    const current = column.key === order.key;
    const sort = current ? (order.descending ? 'descending' : 'ascending') : 'none';
    const resort = () => setOrder({ key: column.key, descending: current ? !order.descending : false });
    return (
      <th key={column.key} scope="col" aria-sort={sort} class={column.numeric ? 'number' : undefined}>
        <button type="button" onClick={resort}>
          {column.label}
        </button>
      </th>
    );
  };
  return (
    <div class="table-scroll">
      <table id="attendance-table">
        <caption>Invited and attended, per participant (cancelled meetings not counted)</caption>
        <thead>
          <tr>{COLUMNS.map(heading)}</tr>
        </thead>
        <tbody>
          {sorted.map((p) => (
            <Row key={p.participantId} p={p} />
          ))}
        </tbody>
      </table>
    </div>
  );
};

/** Attendance per participant: invitations and attendance are separate facts; the rate is attended / recorded. */
const Attendance = () => {
  const read = useLiveRead(loadParticipants, '', changesAttendance);
  const draw = (participants: Participant[]) =>
    participants.length === 0 ? <p>No attendance recorded yet.</p> : <SortedTable participants={participants} />;
  return (
    <>
      <h2>Attendance</h2>
      <p>
        <CsvButton path="/v1/attendance" name="attendance.csv" />
      </p>
      <LiveSection id="attendance" read={read} loading="Loading attendance…" draw={draw} />
    </>
  );
};

export const attendancePage = (main: HTMLElement): Promise<void> => {
  mount(main, <Attendance />);
  return Promise.resolve();
};
