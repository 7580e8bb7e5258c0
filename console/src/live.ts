import { api, sawPosition } from './api.js';
import { h } from './dom.js';

/** An event as the live feed sends it (the same shape as /v1/events). */
export type LedgerEvent = { position: number; streamId: string; revision: number; type: string; data: unknown };

type Listener = (event: LedgerEvent) => void;

const listeners = new Set<Listener>();
let source: EventSource | undefined;
const status = h('p', { id: 'live', 'aria-live': 'polite' });

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

/**
 * Keeps a view current: while `element` is on the page, the first event `relevant` picks opens the
 * view again (`reopen`, which draws a new element and calls this again). Call it before the view's
 * first read, so no event that read may miss goes unseen.
 */
export const whileShown = (
  element: Element,
  relevant: (event: LedgerEvent) => boolean,
  reopen: () => Promise<void>,
): void => {
  const failed = (error: unknown) => (status.textContent = `Live update failed: ${String(error)}; reload the page`);
  const listener: Listener = (event) => {
    if (element.isConnected && !relevant(event)) return;
    listeners.delete(listener);
    if (element.isConnected) setTimeout(() => void (element.isConnected && reopen().catch(failed)), SETTLE_MS);
  };
  listeners.add(listener);
};

const OUTCOME_EVENTS = new Set(['OutcomeRecorded', 'OutcomeAmended', 'OutcomeRetracted']);
const AGENDA_EVENTS = new Set([
  'MeetingScheduled',
  'MeetingRescheduled',
  'MeetingCancelled',
  'MeetingClosed',
  'AgendaItemAdded',
  'ObserverInvited',
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
