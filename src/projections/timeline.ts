import type { Stage } from '../domain/meeting/events.js';
import { stages } from '../domain/meeting/events.js';
import { assertNever } from '../domain/shared/assertNever.js';
import type { ProjectedEvent, Projection } from './projection.js';

type TimelineOutcome = {
  outcomeId: string;
  meetingId: string;
  theatre: string;
  stage: Stage | null;
  kind: string;
  summary: string;
  occurredOn: string | null;
  position: number;
};

export type TimelineState = { outcomes: Record<string, TimelineOutcome>; meetingStarts: Record<string, string> };

const eventTypes = ['MeetingScheduled', 'MeetingRescheduled', 'OutcomeRecorded'] as const;
type TimelineEvent = Extract<ProjectedEvent, { type: (typeof eventTypes)[number] }>;

/**
 * Outcomes that name a theatre, kept as recorded. Dates, order, regressions and current stages are
 * derived when read, because a reschedule or a back-dated outcome can change them after the fact.
 */
export const timelineProjection: Projection<TimelineState> = {
  name: 'timeline',
  version: 1,
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
        if (theatre === null) return state;
        state.outcomes[outcomeId] = {
          outcomeId,
          meetingId,
          theatre,
          stage,
          kind,
          summary,
          occurredOn,
          position: e.position,
        };
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
      const { date, meetingId, outcomeId, theatre, stage, kind, summary } = o;
      entries.push({ date, meetingId, outcomeId, theatre, stage, kind, summary, regression });
    }
  }
  const theatres = [...current.values()].sort((a, b) => (a.theatre < b.theatre ? -1 : 1));
  return { entries, theatres };
};
