import { useEffect, useRef, useState } from 'preact/hooks';
import { api, sawPosition, type LedgerEvent } from './api.js';
import { lostSession, reasonOf } from './failure.js';

type Listener = (event: LedgerEvent) => void;

const listeners = new Set<Listener>();
let source: EventSource | undefined;
/** Says whether the page follows the feed; it sits in the header, outside any page. */
const status = Object.assign(document.createElement('p'), { id: 'live' });
status.setAttribute('aria-live', 'polite');

const connect = (after: number): void => {
  sawPosition(after);
  // The browser reconnects by itself after a drop, sending the last id (a position) as Last-Event-ID.
  source = new EventSource(`/v1/events/live?after=${after}`);
  source.onopen = () => (status.textContent = 'Live');
  source.onerror = () => {
    status.textContent = source?.readyState === EventSource.CLOSED ? 'Live updates stopped' : 'Reconnecting…';
  };
  source.onmessage = (message) => {
    const event = JSON.parse(message.data as string) as LedgerEvent;
    sawPosition(event.position);
    for (const listener of [...listeners]) listener(event);
  };
};

/**
 * Follows the ledger's live feed from where the views stand now (the timeline's position: each view
 * then reads its projection at least as far as the feed has gone, see `api`).
 */
export const startLive = (): void => {
  stopLive();
  document.querySelector('header')?.append(status);
  status.textContent = 'Connecting…';
  api<{ position: number }>('GET', '/v1/timeline?limit=1').then(
    (page) => connect(page.position),
    () => (status.textContent = 'Live updates unavailable'),
  );
};

/** Stops following the feed (signing out). */
export const stopLive = (): void => {
  source?.close();
  source = undefined;
  sawPosition(undefined);
  listeners.clear();
  status.remove();
};

/** How long a burst of events may take to arrive before the view is drawn again, once for all of them. */
const SETTLE_MS = 50;

const OUTCOME_EVENTS = new Set(['OutcomeRecorded', 'OutcomeAmended', 'OutcomeRetracted']);
const AGENDA_EVENTS = new Set([
  'MeetingScheduled',
  'MeetingRescheduled',
  'MeetingCancelled',
  'MeetingClosed',
  'AgendaItemAdded',
  'ObserverInvited',
]);

const ATTENDANCE_EVENTS = new Set([
  'MemberAdmitted',
  'MeetingScheduled',
  'MeetingRescheduled',
  'MeetingCancelled',
  'MeetingClosed',
  'ObserverInvited',
  'AttendanceRecorded',
]);

/** Events that move the progress timeline. */
export const changesTimeline = (event: LedgerEvent): boolean => OUTCOME_EVENTS.has(event.type);
/** Events of one meeting's stream. */
export const changesMeeting =
  (meetingId: string) =>
  (event: LedgerEvent): boolean =>
    event.streamId === `meeting-${meetingId}`;
/** Events that change what the agenda shows of a meeting. */
export const changesAgenda = (event: LedgerEvent): boolean => AGENDA_EVENTS.has(event.type);
/** Events that change the attendance figures (the attendance projection's events). */
export const changesAttendance = (event: LedgerEvent): boolean => ATTENDANCE_EVENTS.has(event.type);

/**
 * Calls `changed` once a burst of the events `relevant` picks has settled, until the returned
 * function is called.
 */
export const onLive = (relevant: (event: LedgerEvent) => boolean, changed: () => void): (() => void) => {
  let settling: ReturnType<typeof setTimeout> | undefined;
  const listener: Listener = (event) => {
    if (settling !== undefined || !relevant(event)) return;
    settling = setTimeout(() => {
      settling = undefined;
      changed();
    }, SETTLE_MS);
  };
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
    clearTimeout(settling);
  };
};

/** What a component shows of a read: the last answer (kept while the next one loads), or why it failed. */
export type LiveRead<T> = { data?: T; failure?: string; busy: boolean };

const failureOf = (error: unknown): string => {
  // A lost session reloads the console, which then asks to sign in again.
  if (lostSession(error)) location.reload();
  return `The ledger could not answer: ${reasonOf(error)}`;
};

/**
 * A component's read of the ledger, kept current: `load` runs when the component mounts, when `key`
 * changes, and after the events `relevant` picks. The component is drawn again with the new answer,
 * not rebuilt, so the keyboard focus and the controls' values stay where they were. Answers that
 * arrive out of order are dropped: only the last read asked for is shown.
 */
export const useLiveRead = <T>(
  load: () => Promise<T>,
  key: string,
  relevant: (event: LedgerEvent) => boolean,
): LiveRead<T> => {
  const [read, setRead] = useState<LiveRead<T>>({ busy: true });
  const latest = useRef({ load, relevant, asked: 0, mounted: true });
  latest.current.load = load;
  latest.current.relevant = relevant;
  const reload = () => {
    const asked = ++latest.current.asked;
    const last = () => latest.current.mounted && asked === latest.current.asked;
    setRead((before) => ({ ...before, busy: true }));
    latest.current.load().then(
      (data) => last() && setRead({ data, busy: false }),
      (error: unknown) => last() && setRead({ failure: failureOf(error), busy: false }),
    );
  };
  // Listening starts before the first read, so no event that read may miss goes unseen.
  useEffect(() => {
    const stop = onLive((event) => latest.current.relevant(event), reload);
    return () => {
      latest.current.mounted = false;
      stop();
    };
  }, []);
  useEffect(reload, [key]);
  return read;
};
