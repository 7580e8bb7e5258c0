import type Database from 'better-sqlite3';
import type { Stage } from '../../domain/meeting/events.js';
import { assertNever } from '../../domain/shared/assertNever.js';
import type { ProjectedEvent, Projection, ProjectionWriter } from '../projection.js';
import { CURRENT, TemporalTable } from '../store/temporalTable.js';

/**
 * An outcome with its current values. `date` is its business date (the day it occurred, else its
 * meeting's start day, which follows a reschedule); `listed` is whether the timeline shows it (it
 * names a theatre and was not retracted); `recorded_position` orders outcomes of the same day.
 */
export type OutcomeRow = {
  meeting_id: string;
  theatre: string | null;
  stage: Stage | null;
  kind: string;
  summary: string;
  occurred_on: string | null;
  date: string;
  recorded_position: number;
  retracted: number;
  corrections: number;
  listed: number;
};

const eventTypes = [
  'MeetingScheduled',
  'MeetingRescheduled',
  'OutcomeRecorded',
  'OutcomeAmended',
  'OutcomeRetracted',
] as const;
type TimelineEvent = Extract<ProjectedEvent, { type: (typeof eventTypes)[number] }>;

// Both listing indexes are partial (listed = 1) and carry the validity columns, so a page of the
// timeline at any position is one index range scan over listed outcomes only.
const schema = `
  CREATE TABLE timeline_meetings (
    meeting_id TEXT NOT NULL, valid_from INTEGER NOT NULL, valid_to INTEGER NOT NULL, starts_at TEXT NOT NULL,
    PRIMARY KEY (meeting_id, valid_from)
  ) WITHOUT ROWID;
  CREATE TABLE timeline_outcomes (
    outcome_id TEXT NOT NULL, valid_from INTEGER NOT NULL, valid_to INTEGER NOT NULL,
    meeting_id TEXT NOT NULL, theatre TEXT, stage TEXT, kind TEXT NOT NULL, summary TEXT NOT NULL,
    occurred_on TEXT, date TEXT NOT NULL, recorded_position INTEGER NOT NULL,
    retracted INTEGER NOT NULL, corrections INTEGER NOT NULL, listed INTEGER NOT NULL,
    PRIMARY KEY (outcome_id, valid_from)
  ) WITHOUT ROWID;
  CREATE INDEX timeline_outcomes_by_theatre
    ON timeline_outcomes (theatre, date, recorded_position, valid_from, valid_to, stage) WHERE listed = 1;
  CREATE INDEX timeline_outcomes_by_date
    ON timeline_outcomes (date, recorded_position, valid_from, valid_to) WHERE listed = 1;
  CREATE INDEX timeline_outcomes_of_meeting ON timeline_outcomes (meeting_id, valid_to);
  CREATE TABLE timeline_theatres (theatre TEXT PRIMARY KEY, valid_from INTEGER NOT NULL) WITHOUT ROWID;
  CREATE TABLE timeline_corrections (
    outcome_id TEXT NOT NULL, position INTEGER NOT NULL, kind TEXT NOT NULL, reason TEXT NOT NULL, previous TEXT,
    PRIMARY KEY (outcome_id, position)
  ) WITHOUT ROWID;`;

const outcomeColumns = [
  'meeting_id',
  'theatre',
  'stage',
  'kind',
  'summary',
  'occurred_on',
  'date',
  'recorded_position',
  'retracted',
  'corrections',
  'listed',
] as const;

const dayOf = (startsAt: string | undefined): string => (startsAt ?? '').slice(0, 10);
const listed = (theatre: string | null, retracted: number): number => (theatre !== null && retracted === 0 ? 1 : 0);

class TimelineWriter implements ProjectionWriter {
  private readonly meetings: TemporalTable<{ starts_at: string }>;
  private readonly outcomes: TemporalTable<OutcomeRow>;
  private readonly statements;

  constructor(db: Database.Database) {
    this.meetings = new TemporalTable(db, 'timeline_meetings', ['meeting_id'], ['starts_at']);
    this.outcomes = new TemporalTable(db, 'timeline_outcomes', ['outcome_id'], outcomeColumns);
    this.statements = {
      outcomesOf: db.prepare<[string], { outcome_id: string }>(
        `SELECT outcome_id FROM timeline_outcomes WHERE meeting_id = ? AND valid_to = ${CURRENT}`,
      ),
      theatre: db.prepare('INSERT OR IGNORE INTO timeline_theatres (theatre, valid_from) VALUES (?, ?)'),
      correction: db.prepare(
        'INSERT INTO timeline_corrections (outcome_id, position, kind, reason, previous) VALUES (?, ?, ?, ?, ?)',
      ),
    };
  }

  apply(event: ProjectedEvent): void {
    const e = event as TimelineEvent;
    const at = e.position;
    switch (e.type) {
      case 'MeetingScheduled':
      case 'MeetingRescheduled':
        return this.meetingStarts(e.data.meetingId, e.data.startsAt, at);
      case 'OutcomeRecorded': {
        const { outcomeId, meetingId, theatre, stage, kind, summary, occurredOn } = e.data;
        const date = occurredOn ?? dayOf(this.meetings.current([meetingId])?.starts_at);
        // One literal: on Node 20 a spread followed by more properties costs microseconds (see toProjectedEvent).
        const row: OutcomeRow = {
          meeting_id: meetingId,
          theatre,
          stage,
          kind,
          summary,
          occurred_on: occurredOn,
          date,
          recorded_position: at,
          retracted: 0,
          corrections: 0,
          listed: listed(theatre, 0),
        };
        this.outcomes.put([outcomeId], row, at);
        if (theatre !== null) this.statements.theatre.run(theatre, at);
        return;
      }
      case 'OutcomeAmended': {
        const { outcomeId, summary, stage, theatre, reason, previous } = e.data;
        const outcome = this.outcomes.current([outcomeId]);
        if (outcome === undefined) return;
        const corrections = outcome.corrections + 1;
        const amended = {
          ...outcome,
          summary,
          stage,
          theatre,
          corrections,
          listed: listed(theatre, outcome.retracted),
        };
        this.outcomes.put([outcomeId], amended, at);
        this.statements.correction.run(outcomeId, at, 'amended', reason, JSON.stringify(previous));
        if (theatre !== null) this.statements.theatre.run(theatre, at);
        return;
      }
      case 'OutcomeRetracted': {
        const outcome = this.outcomes.current([e.data.outcomeId]);
        if (outcome === undefined) return;
        const retracted = { ...outcome, retracted: 1, corrections: outcome.corrections + 1, listed: 0 };
        this.outcomes.put([e.data.outcomeId], retracted, at);
        this.statements.correction.run(e.data.outcomeId, at, 'retracted', e.data.reason, null);
        return;
      }
      default:
        return assertNever(e);
    }
  }

  /** A meeting's start moves the business date of its outcomes that name no day of their own. */
  private meetingStarts(meetingId: string, startsAt: string, at: number): void {
    this.meetings.put([meetingId], { starts_at: startsAt }, at);
    for (const { outcome_id } of this.statements.outcomesOf.all(meetingId)) {
      const outcome = this.outcomes.current([outcome_id]);
      if (outcome && outcome.occurred_on === null)
        this.outcomes.put([outcome_id], { ...outcome, date: dayOf(startsAt) }, at);
    }
  }

  forget(): void {
    this.meetings.forget();
    this.outcomes.forget();
  }
}

/**
 * Outcomes with their current values and the corrections that led there; retracted ones are kept
 * but no longer listed, and only outcomes that name a theatre are listed. Order, regressions and
 * current stages are derived when read, because a reschedule or a back-dated outcome can change them.
 */
export const timelineProjection: Projection = {
  name: 'timeline',
  version: 3,
  eventTypes,
  tables: ['timeline_meetings', 'timeline_outcomes', 'timeline_theatres', 'timeline_corrections'],
  schema,
  writer: (db) => new TimelineWriter(db),
};
