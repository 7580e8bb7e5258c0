import type Database from 'better-sqlite3';
import { stages, type Stage } from '../../domain/meeting/events.js';
import { HOLDS_AT } from '../store/temporalTable.js';

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

/** An outcome as the timeline keeps it, listed or not (no theatre, retracted). */
export type TimelineOutcome = {
  outcomeId: string;
  meetingId: string;
  theatre: string | null;
  stage: Stage | null;
  kind: string;
  summary: string;
  occurredOn: string | null;
  date: string;
  retracted: boolean;
  corrections: number;
};

export type Correction = {
  position: number;
  kind: 'amended' | 'retracted';
  reason: string;
  previous?: { summary: string; stage: Stage | null; theatre: string | null };
};

/** Where a page of entries ends, in (date, recorded position) order. */
export type EntryKey = { date: string; position: number };

const END = '\uffff';

const ENTRY = `outcome_id AS outcomeId, meeting_id AS meetingId, theatre, stage, kind, summary, date,
  recorded_position AS position, corrections`;
const LISTED = `listed = 1 AND ${HOLDS_AT} AND date < @to`;
const AFTER = '(date > @afterDate OR (date = @afterDate AND recorded_position > @afterPosition))';
const BEFORE = '(date < @beforeDate OR (date = @beforeDate AND recorded_position < @beforePosition))';

/** The timeline's queries; exported for the test of their query plans. */
export const timelineSql = {
  entriesOfTheatre: `SELECT ${ENTRY} FROM timeline_outcomes
    WHERE theatre = @theatre AND ${LISTED} AND date >= @from AND ${AFTER}
    ORDER BY date, recorded_position LIMIT @limit`,
  entries: `SELECT ${ENTRY} FROM timeline_outcomes INDEXED BY timeline_outcomes_by_date
    WHERE ${LISTED} AND date >= @from AND ${AFTER}
    ORDER BY date, recorded_position LIMIT @limit`,
  /** The stage a theatre stood at just before an entry: its last staged entry before it. */
  stageBefore: `SELECT stage FROM timeline_outcomes
    WHERE theatre = @theatre AND ${LISTED} AND stage IS NOT NULL AND ${BEFORE}
    ORDER BY date DESC, recorded_position DESC LIMIT 1`,
  lastStaged: `SELECT stage, date, recorded_position AS position FROM timeline_outcomes
    WHERE theatre = @theatre AND ${LISTED} AND stage IS NOT NULL
    ORDER BY date DESC, recorded_position DESC LIMIT 1`,
  lastOtherStage: `SELECT date, recorded_position AS position FROM timeline_outcomes
    WHERE theatre = @theatre AND ${LISTED} AND stage IS NOT NULL AND stage <> @stage AND ${BEFORE}
    ORDER BY date DESC, recorded_position DESC LIMIT 1`,
  firstStagedAfter: `SELECT date FROM timeline_outcomes
    WHERE theatre = @theatre AND ${LISTED} AND stage IS NOT NULL AND ${AFTER}
    ORDER BY date, recorded_position LIMIT 1`,
  outcome: `SELECT outcome_id AS outcomeId, meeting_id AS meetingId, theatre, stage, kind, summary,
      occurred_on AS occurredOn, date, retracted, corrections
    FROM timeline_outcomes WHERE outcome_id = @outcomeId AND ${HOLDS_AT}`,
  corrections: `SELECT position, kind, reason, previous FROM timeline_corrections
    WHERE outcome_id = @outcomeId AND position <= @at AND position > @after ORDER BY position LIMIT @limit`,
  theatres: `SELECT theatre FROM timeline_theatres
    WHERE valid_from <= @at AND (@only IS NULL OR theatre = @only) ORDER BY theatre`,
};

type EntryRow = Omit<TimelineEntry, 'regression' | 'corrected'> & { position: number; corrections: number };

const rank = (stage: Stage): number => stages.indexOf(stage);

/** Reads the timeline as of any position the projection has reached, a page at a time. */
export class TimelineReader {
  private readonly statements;

  constructor(db: Database.Database) {
    const prepare = <Row>(text: string) => db.prepare<Record<string, unknown>, Row>(text);
    this.statements = {
      entriesOfTheatre: prepare<EntryRow>(timelineSql.entriesOfTheatre),
      entries: prepare<EntryRow>(timelineSql.entries),
      stageBefore: prepare<{ stage: Stage }>(timelineSql.stageBefore),
      lastStaged: prepare<{ stage: Stage; date: string; position: number }>(timelineSql.lastStaged),
      lastOtherStage: prepare<{ date: string; position: number }>(timelineSql.lastOtherStage),
      firstStagedAfter: prepare<{ date: string }>(timelineSql.firstStagedAfter),
      theatres: prepare<{ theatre: string }>(timelineSql.theatres),
      outcome: prepare<Omit<TimelineOutcome, 'retracted'> & { retracted: number }>(timelineSql.outcome),
      corrections: prepare<{ position: number; kind: Correction['kind']; reason: string; previous: string | null }>(
        timelineSql.corrections,
      ),
    };
  }

  /**
   * Entries dated within [from, to) by business date, then log order, as they stood at `at`.
   * `regression` marks a stage below the theatre's stage before it, counting entries before `from`
   * (and before this page) too, so every page reads exactly as the whole timeline would.
   */
  entries(query: TimelineQuery, at: number, limit: number, after?: EntryKey) {
    const range = { at, to: query.to ?? END, from: query.from ?? '', limit: limit + 1 };
    const cursor = { afterDate: after?.date ?? '', afterPosition: after?.position ?? 0 };
    const rows =
      query.theatre === undefined
        ? this.statements.entries.all({ ...range, ...cursor })
        : this.statements.entriesOfTheatre.all({ ...range, ...cursor, theatre: query.theatre });
    const standing = new Map<string, Stage | undefined>();
    const entries = rows.slice(0, limit).map((row): TimelineEntry => {
      if (!standing.has(row.theatre)) standing.set(row.theatre, this.stageBefore(row, at, range.to));
      const previous = standing.get(row.theatre);
      if (row.stage !== null) standing.set(row.theatre, row.stage);
      const { position: _position, corrections, ...entry } = row;
      const regression = row.stage !== null && previous !== undefined && rank(row.stage) < rank(previous);
      return { ...entry, regression, corrected: corrections > 0 };
    });
    const last = rows[limit - 1];
    return { entries, next: rows.length > limit && last ? { date: last.date, position: last.position } : null };
  }

  private stageBefore(row: EntryRow, at: number, to: string): Stage | undefined {
    const before = { beforeDate: row.date, beforePosition: row.position };
    return this.statements.stageBefore.get({ theatre: row.theatre, at, to, ...before })?.stage;
  }

  /** Each theatre's stage as it stood by `to` at position `at`, and since when (the day it last changed to it). */
  theatres(query: TimelineQuery, at: number): TheatreStatus[] {
    const to = query.to ?? END;
    return this.statements.theatres.all({ at, only: query.theatre ?? null }).flatMap(({ theatre }) => {
      const last = this.statements.lastStaged.get({ theatre, at, to });
      if (!last) return [];
      const before = { beforeDate: last.date, beforePosition: last.position };
      const other = this.statements.lastOtherStage.get({ theatre, at, to, stage: last.stage, ...before });
      // The run of this stage began with the first staged entry after the last one of another stage.
      const cursor = { afterDate: other?.date ?? '', afterPosition: other?.position ?? 0 };
      const since = this.statements.firstStagedAfter.get({ theatre, at, to, ...cursor })?.date ?? last.date;
      return [{ theatre, stage: last.stage, since }];
    });
  }

  /** One outcome as it stood at `at`, listed or not; undefined when it was not recorded yet. */
  outcome(outcomeId: string, at: number): TimelineOutcome | undefined {
    const row = this.statements.outcome.get({ outcomeId, at });
    return row && { ...row, retracted: row.retracted === 1 };
  }

  /** The corrections of an outcome up to `at`, oldest first, a page at a time after position `after`. */
  corrections(outcomeId: string, at: number, limit: number, after = 0) {
    const rows = this.statements.corrections.all({ outcomeId, at, after, limit: limit + 1 });
    const corrections = rows.slice(0, limit).map(({ previous, ...correction }): Correction => ({
      ...correction,
      ...(previous !== null && { previous: JSON.parse(previous) as Correction['previous'] }),
    }));
    return { corrections, next: rows.length > limit ? (corrections.at(-1)?.position ?? null) : null };
  }
}
