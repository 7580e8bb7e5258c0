import type Database from 'better-sqlite3';
import { assertNever } from '../../domain/shared/assertNever.js';
import type { ProjectedEvent, Projection, ProjectionWriter } from '../projection.js';
import { TemporalTable } from '../store/temporalTable.js';

export type AgendaStatus = 'scheduled' | 'rescheduled' | 'cancelled' | 'closed';

/**
 * A meeting's own facts, one temporal row per change of them (scheduled, rescheduled, cancelled,
 * closed). Its agenda items and observers are rows of their own, never changed once added, so
 * adding one writes one row however many the meeting has; a reader counts them for the meeting's
 * SEQUENCE and last change.
 */
export type AgendaMeetingRow = {
  title: string;
  forum: string;
  status: AgendaStatus;
  location: string;
  host: string | null;
  starts_at: string;
  ends_at: string | null;
  cancellation_reason: string | null;
  /** How many times these facts changed after the meeting was scheduled. */
  changes: number;
  /** When these facts last changed, as recorded. */
  updated_at: string;
  /** How many agenda items it was scheduled with (those added later count as changes). */
  scheduled_items: number;
};

const eventTypes = [
  'MeetingScheduled',
  'MeetingRescheduled',
  'MeetingCancelled',
  'AgendaItemAdded',
  'ObserverInvited',
  'MeetingClosed',
] as const;

type AgendaEvent = Extract<ProjectedEvent, { type: (typeof eventTypes)[number] }>;

// Agenda items and observers are never removed or changed: a row each, holding from the event that
// added it, numbered in the order added.
const schema = `
  CREATE TABLE agenda_meetings (
    meeting_id TEXT NOT NULL, valid_from INTEGER NOT NULL, valid_to INTEGER NOT NULL,
    title TEXT NOT NULL, forum TEXT NOT NULL, status TEXT NOT NULL, location TEXT NOT NULL, host TEXT,
    starts_at TEXT NOT NULL, ends_at TEXT, cancellation_reason TEXT, changes INTEGER NOT NULL,
    updated_at TEXT NOT NULL, scheduled_items INTEGER NOT NULL,
    PRIMARY KEY (meeting_id, valid_from)
  ) WITHOUT ROWID;
  CREATE INDEX agenda_meetings_by_start ON agenda_meetings (starts_at, meeting_id, valid_from, valid_to);
  CREATE TABLE agenda_items (
    meeting_id TEXT NOT NULL, seq INTEGER NOT NULL, valid_from INTEGER NOT NULL, recorded_at TEXT NOT NULL,
    item_id TEXT NOT NULL, title TEXT NOT NULL,
    PRIMARY KEY (meeting_id, seq)
  ) WITHOUT ROWID;
  CREATE TABLE agenda_observers (
    meeting_id TEXT NOT NULL, seq INTEGER NOT NULL, valid_from INTEGER NOT NULL, recorded_at TEXT NOT NULL,
    observer_id TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL, session TEXT,
    PRIMARY KEY (meeting_id, seq)
  ) WITHOUT ROWID;`;

const meetingColumns = [
  'title',
  'forum',
  'status',
  'location',
  'host',
  'starts_at',
  'ends_at',
  'cancellation_reason',
  'changes',
  'updated_at',
  'scheduled_items',
] as const;

class AgendaWriter implements ProjectionWriter {
  private readonly meetings: TemporalTable<AgendaMeetingRow>;
  private readonly statements;

  constructor(db: Database.Database) {
    this.meetings = new TemporalTable<AgendaMeetingRow>(db, 'agenda_meetings', ['meeting_id'], meetingColumns);
    this.statements = {
      addItem: db.prepare(
        `INSERT INTO agenda_items (meeting_id, seq, valid_from, recorded_at, item_id, title)
         VALUES (?, coalesce((SELECT max(seq) + 1 FROM agenda_items WHERE meeting_id = ?), 0), ?, ?, ?, ?)`,
      ),
      addObserver: db.prepare(
        `INSERT INTO agenda_observers (meeting_id, seq, valid_from, recorded_at, observer_id, name, kind, session)
         VALUES (?, coalesce((SELECT max(seq) + 1 FROM agenda_observers WHERE meeting_id = ?), 0), ?, ?, ?, ?, ?, ?)`,
      ),
    };
  }

  apply(event: ProjectedEvent): void {
    const e = event as AgendaEvent;
    const at = e.position;
    if (e.type === 'MeetingScheduled') {
      const { meetingId, title, forum, location, host, startsAt, endsAt, agenda } = e.data;
      for (const item of agenda)
        this.statements.addItem.run(meetingId, meetingId, at, e.recordedAt, item.itemId, item.title);
      const row: AgendaMeetingRow = {
        title,
        forum,
        location,
        host,
        starts_at: startsAt,
        ends_at: endsAt,
        status: 'scheduled',
        cancellation_reason: null,
        changes: 0,
        updated_at: e.recordedAt,
        scheduled_items: agenda.length,
      };
      this.meetings.put([meetingId], row, at);
      return;
    }
    const { meetingId } = e.data;
    const meeting = this.meetings.current([meetingId]);
    if (!meeting) return; // events of a meeting never scheduled change no agenda
    switch (e.type) {
      case 'AgendaItemAdded':
        this.statements.addItem.run(meetingId, meetingId, at, e.recordedAt, e.data.itemId, e.data.title);
        return;
      case 'ObserverInvited': {
        const { observerId, name, kind, session } = e.data;
        this.statements.addObserver.run(meetingId, meetingId, at, e.recordedAt, observerId, name, kind, session);
        return;
      }
      case 'MeetingRescheduled':
      case 'MeetingCancelled':
      case 'MeetingClosed': {
        const changed = { ...this.change(meeting, e), changes: meeting.changes + 1, updated_at: e.recordedAt };
        this.meetings.put([meetingId], changed, at);
        return;
      }
      default:
        return assertNever(e);
    }
  }

  private change(
    meeting: AgendaMeetingRow,
    e: Extract<AgendaEvent, { type: 'MeetingRescheduled' | 'MeetingCancelled' | 'MeetingClosed' }>,
  ): AgendaMeetingRow {
    switch (e.type) {
      case 'MeetingRescheduled':
        return { ...meeting, status: 'rescheduled', starts_at: e.data.startsAt, ends_at: e.data.endsAt };
      case 'MeetingCancelled':
        return { ...meeting, status: 'cancelled', cancellation_reason: e.data.reason };
      case 'MeetingClosed':
        return { ...meeting, status: 'closed' };
      default:
        return assertNever(e);
    }
  }

  forget(): void {
    this.meetings.forget();
  }
}

/** The agenda: every meeting with its status, place, time, agenda items in order and observers. */
export const agendaProjection: Projection = {
  name: 'agenda',
  version: 4,
  eventTypes,
  tables: ['agenda_meetings', 'agenda_items', 'agenda_observers'],
  schema,
  writer: (db) => new AgendaWriter(db),
};
