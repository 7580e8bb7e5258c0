import type { Stage } from '../domain/meeting/events.js';
import { stages } from '../domain/meeting/events.js';
import { assertNever } from '../domain/shared/assertNever.js';
import type { ProjectedEvent, Projection } from './projection.js';

type Correction = {
  kind: 'amended' | 'retracted';
  reason: string;
  previous?: { summary: string; stage: Stage | null; theatre: string | null };
  position: number;
};

type TimelineOutcome = {
  outcomeId: string;
  meetingId: string;
  /** Kept even when null: an amendment may give the outcome a theatre later. */
  theatre: string | null;
  stage: Stage | null;
  kind: string;
  summary: string;
  occurredOn: string | null;
  position: number;
  retracted: boolean;
  history: Correction[];
};

export type TimelineState = { outcomes: Record<string, TimelineOutcome>; meetingStarts: Record<string, string> };

const eventTypes = [
  'MeetingScheduled',
  'MeetingRescheduled',
  'OutcomeRecorded',
  'OutcomeAmended',
  'OutcomeRetracted',
] as const;
type TimelineEvent = Extract<ProjectedEvent, { type: (typeof eventTypes)[number] }>;

/**
 * Outcomes with their current values and the corrections that led there; retracted ones are kept
 * with their history but no longer listed, and only outcomes that name a theatre are listed. Dates,
 * order, regressions and current stages are derived when read, because a reschedule or a
 * back-dated outcome can change them after the fact.
 */
export const timelineProjection: Projection<TimelineState> = {
  name: 'timeline',
  version: 2,
  eventTypes,
  initialState: () => ({ outcomes: {}, meetingStarts: {} }),
  evolve: (state, event) => {
    const e = event as TimelineEvent;
    switch (e.type) {
      case 'MeetingScheduled':
      case 'MeetingRescheduled':
        state.meetingStarts[e.data.meetingId] = e.data.startsAt;
        return state;
      case 'OutcomeRecorded': {
        const { outcomeId, meetingId, theatre, stage, kind, summary, occurredOn } = e.data;
        state.outcomes[outcomeId] = {
          ...{ outcomeId, meetingId, theatre, stage, kind, summary, occurredOn },
          position: e.position,
          retracted: false,
          history: [],
        };
        return state;
      }
      case 'OutcomeAmended': {
        const { outcomeId, summary, stage, theatre, reason, previous } = e.data;
        const outcome = state.outcomes[outcomeId];
        if (outcome === undefined) return state;
        Object.assign(outcome, { summary, stage, theatre });
        outcome.history.push({ kind: 'amended', reason, previous, position: e.position });
        return state;
      }
      case 'OutcomeRetracted': {
        const outcome = state.outcomes[e.data.outcomeId];
        if (outcome === undefined) return state;
        outcome.retracted = true;
        outcome.history.push({ kind: 'retracted', reason: e.data.reason, position: e.position });
        return state;
      }
      default:
        return assertNever(e);
    }
  },
};

export type TimelineEntry = {
  date: string;
  meetingId: string;
  outcomeId: string;
  theatre: string;
  stage: Stage | null;
  kind: string;
  summary: string;
  regression: boolean;
  /** The values shown were amended after the outcome was recorded. */
  corrected: boolean;
};

export type TheatreStatus = { theatre: string; stage: Stage; since: string };

export type TimelineQuery = { theatre?: string; from?: string; to?: string };

const rank = (stage: Stage): number => stages.indexOf(stage);

/** Entries by business date (then log order); `regression` when a theatre's stage moves back down the ladder. */
export const queryTimeline = (
  state: TimelineState,
  query: TimelineQuery,
): { entries: TimelineEntry[]; theatres: TheatreStatus[] } => {
  const dated = Object.values(state.outcomes)
    .filter((o): o is TimelineOutcome & { theatre: string } => o.theatre !== null && !o.retracted)
    .filter((o) => query.theatre === undefined || o.theatre === query.theatre)
    .map((o) => ({ ...o, date: o.occurredOn ?? (state.meetingStarts[o.meetingId] ?? '').slice(0, 10) }))
    .filter((o) => query.to === undefined || o.date < query.to)
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.position - b.position));
  const current = new Map<string, TheatreStatus>();
  const entries: TimelineEntry[] = [];
  for (const o of dated) {
    const previous = current.get(o.theatre);
    const regression = o.stage !== null && previous !== undefined && rank(o.stage) < rank(previous.stage);
    if (o.stage !== null && previous?.stage !== o.stage)
      current.set(o.theatre, { theatre: o.theatre, stage: o.stage, since: o.date });
    if (query.from === undefined || o.date >= query.from) {
      const { date, meetingId, outcomeId, theatre, stage, kind, summary, history } = o;
      const corrected = history.length > 0;
      entries.push({ date, meetingId, outcomeId, theatre, stage, kind, summary, regression, corrected });
    }
  }
  const theatres = [...current.values()].sort((a, b) => (a.theatre < b.theatre ? -1 : 1));
  return { entries, theatres };
};
