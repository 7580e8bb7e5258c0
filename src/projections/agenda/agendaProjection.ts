import type Database from 'better-sqlite3';
import { assertNever } from '../../domain/shared/assertNever.js';
import type { ProjectedEvent, Projection, ProjectionWriter } from '../projection.js';
import { TemporalTable } from '../store/temporalTable.js';

export type AgendaStatus = 'scheduled' | 'rescheduled' | 'cancelled' | 'closed';

/** A meeting's own facts, one temporal row per change; its agenda items and observers are rows of their own. */
export type AgendaMeetingRow = {
  title: string;
  forum: string;
  status: AgendaStatus;
  location: string;
  host: string | null;
  starts_at: string;
  ends_at: string | null;
  cancellation_reason: string | null;
  /** How many times the meeting changed after it was scheduled (iCalendar SEQUENCE). */
  sequence: number;
  updated_at: string;
  items: number;
  observers: number;
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
// added it. A meeting row keeps their counts, so adding one needs no read.
const schema = `
  CREATE TABLE agenda_meetings (
    meeting_id TEXT NOT NULL, valid_from INTEGER NOT NULL, valid_to INTEGER NOT NULL,
    title TEXT NOT NULL, forum TEXT NOT NULL, status TEXT NOT NULL, location TEXT NOT NULL, host TEXT,
    starts_at TEXT NOT NULL, ends_at TEXT, cancellation_reason TEXT, sequence INTEGER NOT NULL,
    updated_at TEXT NOT NULL, items INTEGER NOT NULL, observers INTEGER NOT NULL,
    PRIMARY KEY (meeting_id, valid_from)
  ) WITHOUT ROWID;
  CREATE INDEX agenda_meetings_by_start ON agenda_meetings (starts_at, meeting_id, valid_from, valid_to);
  CREATE TABLE agenda_items (
    meeting_id TEXT NOT NULL, seq INTEGER NOT NULL, valid_from INTEGER NOT NULL,
    item_id TEXT NOT NULL, title TEXT NOT NULL,
    PRIMARY KEY (meeting_id, seq)
  ) WITHOUT ROWID;
  CREATE TABLE agenda_observers (
    meeting_id TEXT NOT NULL, seq INTEGER NOT NULL, valid_from INTEGER NOT NULL,
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
  'sequence',
  'updated_at',
  'items',
  'observers',
] as const;

class AgendaWriter implements ProjectionWriter {
  private readonly meetings: TemporalTable<AgendaMeetingRow>;
  private readonly addItem;
  private readonly addObserver;

  constructor(db: Database.Database) {
    this.meetings = new TemporalTable<AgendaMeetingRow>(db, 'agenda_meetings', ['meeting_id'], meetingColumns);
    this.addItem = db.prepare(
      'INSERT INTO agenda_items (meeting_id, seq, valid_from, item_id, title) VALUES (?, ?, ?, ?, ?)',
    );
    this.addObserver = db.prepare(
      `INSERT INTO agenda_observers (meeting_id, seq, valid_from, observer_id, name, kind, session)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  apply(event: ProjectedEvent): void {
    const e = event as AgendaEvent;
    const at = e.position;
    if (e.type === 'MeetingScheduled') {
      const { meetingId, title, forum, location, host, startsAt, endsAt, agenda } = e.data;
      agenda.forEach((item, seq) => this.addItem.run(meetingId, seq, at, item.itemId, item.title));
      this.meetings.put(
        [meetingId],
        {
          ...{ title, forum, location, host, starts_at: startsAt, ends_at: endsAt, status: 'scheduled' },
          ...{ cancellation_reason: null, sequence: 0, updated_at: e.recordedAt, items: agenda.length, observers: 0 },
        },
        at,
      );
      return;
    }
    const meeting = this.meetings.current([e.data.meetingId]);
    if (!meeting) return; // events of a meeting never scheduled change no agenda
    const changed = { ...meeting, sequence: meeting.sequence + 1, updated_at: e.recordedAt };
    this.meetings.put([e.data.meetingId], this.change(changed, e), at);
  }

  private change(meeting: AgendaMeetingRow, e: Exclude<AgendaEvent, { type: 'MeetingScheduled' }>): AgendaMeetingRow {
    switch (e.type) {
      case 'MeetingRescheduled':
        return { ...meeting, status: 'rescheduled', starts_at: e.data.startsAt, ends_at: e.data.endsAt };
      case 'MeetingCancelled':
        return { ...meeting, status: 'cancelled', cancellation_reason: e.data.reason };
      case 'AgendaItemAdded':
        this.addItem.run(e.data.meetingId, meeting.items, e.position, e.data.itemId, e.data.title);
        return { ...meeting, items: meeting.items + 1 };
      case 'ObserverInvited': {
        const { meetingId, observerId, name, kind, session } = e.data;
        this.addObserver.run(meetingId, meeting.observers, e.position, observerId, name, kind, session);
        return { ...meeting, observers: meeting.observers + 1 };
      }
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
  version: 3,
  eventTypes,
  tables: ['agenda_meetings', 'agenda_items', 'agenda_observers'],
  schema,
  writer: (db) => new AgendaWriter(db),
};
