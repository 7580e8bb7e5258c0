import type Database from 'better-sqlite3';
import { HOLDS_AT } from '../store/temporalTable.js';
import type { AgendaMeetingRow, AgendaStatus } from './agendaProjection.js';

export type AgendaMeeting = {
  meetingId: string;
  title: string;
  forum: string;
  status: AgendaStatus;
  location: string;
  host: string | null;
  startsAt: string;
  endsAt: string | null;
  agenda: { itemId: string; title: string }[];
  observers: { observerId: string; name: string; kind: string; session: string | null }[];
  cancellationReason: string | null;
  /** How many times the meeting changed after it was scheduled (iCalendar SEQUENCE). */
  sequence: number;
  /** When the meeting last changed, as recorded. */
  updatedAt: string;
};

export type AgendaQuery = { from?: string; to?: string; forum?: string; status?: AgendaStatus };

/** Where a page ends: the next page starts strictly after this meeting in (startsAt, meetingId) order. */
export type AgendaKey = { startsAt: string; meetingId: string };

// Past every ISO instant and every ULID: the open end of a range.
const END = '\uffff';

/** A page of meetings by start time; exported for the test of its query plan. */
export const agendaPageSql = `
  SELECT meeting_id, title, forum, status, location, host, starts_at, ends_at, cancellation_reason, changes,
         updated_at, scheduled_items
  FROM agenda_meetings
  WHERE starts_at >= @from AND starts_at < @to
    AND (starts_at > @afterStart OR (starts_at = @afterStart AND meeting_id > @afterMeeting))
    AND ${HOLDS_AT}
    AND (@forum IS NULL OR forum = @forum) AND (@status IS NULL OR status = @status)
  ORDER BY starts_at, meeting_id
  LIMIT @limit`;

type MeetingRow = AgendaMeetingRow & { meeting_id: string };

/** Reads the agenda as of any position the projection has reached, a page at a time. */
export class AgendaReader {
  private readonly statements;

  constructor(db: Database.Database) {
    this.statements = {
      page: db.prepare<Record<string, unknown>, MeetingRow>(agendaPageSql),
      items: db.prepare<[string, number], { itemId: string; title: string; recordedAt: string }>(
        `SELECT item_id AS itemId, title, recorded_at AS recordedAt FROM agenda_items
         WHERE meeting_id = ? AND valid_from <= ? ORDER BY seq`,
      ),
      observers: db.prepare<[string, number], AgendaMeeting['observers'][number] & { recordedAt: string }>(
        `SELECT observer_id AS observerId, name, kind, session, recorded_at AS recordedAt FROM agenda_observers
         WHERE meeting_id = ? AND valid_from <= ? ORDER BY seq`,
      ),
    };
  }

  /**
   * Meetings starting within [from, to), optionally of one forum or status, by start time, as they
   * stood at position `at`: at most `limit`, after `after` when given; `next` is where the following
   * page starts, null after the last.
   */
  page(
    query: AgendaQuery,
    at: number,
    limit: number,
    after?: AgendaKey,
  ): { meetings: AgendaMeeting[]; next: AgendaKey | null } {
    const rows = this.statements.page.all({
      from: query.from ?? '',
      to: query.to ?? END,
      forum: query.forum ?? null,
      status: query.status ?? null,
      afterStart: after?.startsAt ?? '',
      afterMeeting: after?.meetingId ?? '',
      at,
      limit: limit + 1,
    });
    const meetings = rows.slice(0, limit).map((row) => this.meeting(row, at));
    const last = meetings.at(-1);
    return {
      meetings,
      next: rows.length > limit && last ? { startsAt: last.startsAt, meetingId: last.meetingId } : null,
    };
  }

  /**
   * A meeting row with its items and observers as of `at`. Every change after scheduling counts in
   * SEQUENCE, items added and observers invited included, and the latest of them is its last change.
   */
  private meeting(row: MeetingRow, at: number): AgendaMeeting {
    const items = this.statements.items.all(row.meeting_id, at);
    const observers = this.statements.observers.all(row.meeting_id, at);
    let updatedAt = row.updated_at;
    for (const { recordedAt } of [...items, ...observers]) if (recordedAt > updatedAt) updatedAt = recordedAt;
    return {
      meetingId: row.meeting_id,
      title: row.title,
      forum: row.forum,
      status: row.status,
      location: row.location,
      host: row.host,
      startsAt: row.starts_at,
      endsAt: row.ends_at,
      agenda: items.map(({ itemId, title }) => ({ itemId, title })),
      observers: observers.map(({ observerId, name, kind, session }) => ({ observerId, name, kind, session })),
      cancellationReason: row.cancellation_reason,
      sequence: row.changes + (items.length - row.scheduled_items) + observers.length,
      updatedAt,
    };
  }
}
