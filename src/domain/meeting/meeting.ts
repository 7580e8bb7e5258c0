import { assertNever } from '../shared/assertNever.js';
import type { MeetingEvent, OutcomeKind, Stage } from './events.js';

export type MeetingStatus = 'scheduled' | 'rescheduled' | 'cancelled' | 'closed';

export type AgendaItem = { itemId: string; title: string };
export type Observer = { observerId: string; name: string; kind: 'state' | 'organization'; session: string | null };
export type Attendance = { participantId: string; role: 'member' | 'observer'; status: 'present' | 'absent' };
/** What a correction may change, and what an amendment records it replaced. */
export type CorrectableValues = { summary: string; stage: Stage | null; theatre: string | null };
export type OutcomeCorrection =
  { kind: 'amended'; reason: string; previous: CorrectableValues } | { kind: 'retracted'; reason: string };

/** How many of an outcome's corrections the state keeps; the full record is the meeting's events. */
export const RECENT_CORRECTIONS = 10;

export type Outcome = {
  outcomeId: string;
  agendaItemId: string | null;
  kind: OutcomeKind;
  summary: string;
  theatre: string | null;
  stage: Stage | null;
  occurredOn: string | null;
  status: 'standing' | 'retracted';
  /** How many corrections the outcome has had. */
  corrections: number;
  /** The latest RECENT_CORRECTIONS corrections, oldest first. */
  history: OutcomeCorrection[];
};

/**
 * A meeting as its stream tells it. Agenda items, observers, attendance and outcomes are keyed by
 * their id, in the order they were first recorded (attendance: the order of each participant's
 * latest record), so that deciding and folding cost the same on the first event and the ten thousandth.
 */
export type ScheduledMeeting = {
  status: MeetingStatus;
  meetingId: string;
  title: string;
  forum: string;
  startsAt: string;
  endsAt: string | null;
  location: string;
  host: string | null;
  cancellationReason: string | null;
  agenda: Map<string, AgendaItem>;
  observers: Map<string, Observer>;
  attendance: Map<string, Attendance>;
  outcomes: Map<string, Outcome>;
};

export type Meeting = { status: 'none' } | ScheduledMeeting;

export const initialMeeting = (): Meeting => ({ status: 'none' });

const scheduled = (event: Extract<MeetingEvent, { type: 'MeetingScheduled' }>): ScheduledMeeting => {
  const { agenda, ...rest } = event.data;
  return {
    ...rest,
    status: 'scheduled',
    agenda: new Map(agenda.map(({ itemId, title }) => [itemId, { itemId, title }])),
    cancellationReason: null,
    observers: new Map(),
    attendance: new Map(),
    outcomes: new Map(),
  };
};

const correct = (state: ScheduledMeeting, outcomeId: string, correction: OutcomeCorrection): Outcome | undefined => {
  const outcome = state.outcomes.get(outcomeId);
  if (outcome === undefined) return undefined;
  outcome.corrections += 1;
  outcome.history.push(correction);
  if (outcome.history.length > RECENT_CORRECTIONS) outcome.history.shift();
  return outcome;
};

/**
 * Folds one event into the meeting, in place: the state belongs to one holder at a time, and
 * copying it for every event made a fold quadratic. Total and deterministic: the same events always
 * give the same meeting. Nothing of the event is kept that the state later changes.
 */
export const evolveMeeting = (state: Meeting, event: MeetingEvent): Meeting => {
  if (event.type === 'MeetingScheduled') return scheduled(event);
  if (state.status === 'none') return state; // an event for a meeting never scheduled cannot be folded
  switch (event.type) {
    case 'MeetingRescheduled':
      state.status = 'rescheduled';
      state.startsAt = event.data.startsAt;
      state.endsAt = event.data.endsAt;
      return state;
    case 'MeetingCancelled':
      state.status = 'cancelled';
      state.cancellationReason = event.data.reason;
      return state;
    case 'AgendaItemAdded':
      state.agenda.set(event.data.itemId, { itemId: event.data.itemId, title: event.data.title });
      return state;
    case 'ObserverInvited': {
      const { meetingId: _meetingId, ...observer } = event.data;
      state.observers.set(observer.observerId, observer);
      return state;
    }
    case 'AttendanceRecorded': {
      const { meetingId: _meetingId, ...record } = event.data;
      state.attendance.delete(record.participantId); // recorded again, it moves to the end
      state.attendance.set(record.participantId, record);
      return state;
    }
    case 'OutcomeRecorded': {
      // One literal, not a spread followed by more properties: on Node 20 those cost microseconds
      // an event (each object gets a hidden class of its own), and a fold applies every outcome.
      const { outcomeId, agendaItemId, kind, summary, theatre, stage, occurredOn } = event.data;
      const outcome: Outcome = {
        outcomeId,
        agendaItemId,
        kind,
        summary,
        theatre,
        stage,
        occurredOn,
        status: 'standing',
        corrections: 0,
        history: [],
      };
      state.outcomes.set(outcomeId, outcome);
      return state;
    }
    case 'OutcomeAmended': {
      const { outcomeId, summary, stage, theatre, reason, previous } = event.data;
      const outcome = correct(state, outcomeId, { kind: 'amended', reason, previous });
      if (outcome) {
        outcome.summary = summary;
        outcome.stage = stage;
        outcome.theatre = theatre;
      }
      return state;
    }
    case 'OutcomeRetracted': {
      const outcome = correct(state, event.data.outcomeId, { kind: 'retracted', reason: event.data.reason });
      if (outcome) outcome.status = 'retracted';
      return state;
    }
    case 'MeetingClosed':
      state.status = 'closed';
      return state;
    default:
      return assertNever(event);
  }
};
