import type Database from 'better-sqlite3';
import { assertNever } from '../../domain/shared/assertNever.js';
import type { ProjectedEvent, Projection, ProjectionWriter } from '../projection.js';
import { TemporalTable } from '../store/temporalTable.js';

export type MeetingStatus = 'scheduled' | 'rescheduled' | 'cancelled' | 'closed';
type ParticipantRow = { name: string; role: 'member' | 'observer' };
type MeetingRow = { title: string; forum: string; starts_at: string; status: MeetingStatus };
/**
 * One participant at one meeting, keyed by participant, the meeting's start (so in the order a
 * participant's history is read; '' for a meeting never scheduled) and the meeting. Whether the
 * meeting was cancelled is copied in too, so a participant's counts over a date range are one range
 * scan of this table; a reschedule or a cancellation changes the rows of its participants.
 */
type RecordRow = {
  cancelled: number;
  invited: number;
  status: 'present' | 'absent' | null;
};

const eventTypes = [
  'MemberAdmitted',
  'MeetingScheduled',
  'MeetingRescheduled',
  'MeetingCancelled',
  'MeetingClosed',
  'ObserverInvited',
  'AttendanceRecorded',
] as const;

type AttendanceEvent = Extract<ProjectedEvent, { type: (typeof eventTypes)[number] }>;

const schema = `
  CREATE TABLE attendance_participants (
    participant_id TEXT NOT NULL, valid_from INTEGER NOT NULL, valid_to INTEGER NOT NULL,
    name TEXT NOT NULL, role TEXT NOT NULL,
    PRIMARY KEY (participant_id, valid_from)
  ) WITHOUT ROWID;
  CREATE TABLE attendance_meetings (
    meeting_id TEXT NOT NULL, valid_from INTEGER NOT NULL, valid_to INTEGER NOT NULL,
    title TEXT NOT NULL, forum TEXT NOT NULL, starts_at TEXT NOT NULL, status TEXT NOT NULL,
    PRIMARY KEY (meeting_id, valid_from)
  ) WITHOUT ROWID;
  CREATE TABLE attendance_records (
    participant_id TEXT NOT NULL, starts_at TEXT NOT NULL, meeting_id TEXT NOT NULL,
    valid_from INTEGER NOT NULL, valid_to INTEGER NOT NULL,
    cancelled INTEGER NOT NULL, invited INTEGER NOT NULL, status TEXT,
    PRIMARY KEY (participant_id, starts_at, meeting_id, valid_from)
  ) WITHOUT ROWID;
  -- Who has a record at a meeting: found again when the meeting moves or is cancelled. Never changes.
  CREATE TABLE attendance_participation (
    meeting_id TEXT NOT NULL, participant_id TEXT NOT NULL, PRIMARY KEY (meeting_id, participant_id)
  ) WITHOUT ROWID;`;

class AttendanceWriter implements ProjectionWriter {
  private readonly participants: TemporalTable<ParticipantRow>;
  private readonly meetings: TemporalTable<MeetingRow>;
  private readonly records: TemporalTable<RecordRow>;
  private readonly statements;

  constructor(db: Database.Database) {
    this.participants = new TemporalTable(db, 'attendance_participants', ['participant_id'], ['name', 'role']);
    this.meetings = new TemporalTable(
      db,
      'attendance_meetings',
      ['meeting_id'],
      ['title', 'forum', 'starts_at', 'status'],
    );
    this.records = new TemporalTable(
      db,
      'attendance_records',
      ['participant_id', 'starts_at', 'meeting_id'],
      ['cancelled', 'invited', 'status'],
    );
    this.statements = {
      participantsOf: db.prepare<[string], { participant_id: string }>(
        'SELECT participant_id FROM attendance_participation WHERE meeting_id = ?',
      ),
      participation: db.prepare(
        'INSERT OR IGNORE INTO attendance_participation (meeting_id, participant_id) VALUES (?, ?)',
      ),
    };
  }

  apply(event: ProjectedEvent): void {
    const e = event as AttendanceEvent;
    const at = e.position;
    switch (e.type) {
      case 'MemberAdmitted':
        // An observer admitted later becomes a member; the history it had as an observer stays.
        this.participants.put([e.data.memberId], { name: e.data.name, role: 'member' }, at);
        return;
      case 'MeetingScheduled': {
        const { meetingId, title, forum, startsAt } = e.data;
        this.meetings.put([meetingId], { title, forum, starts_at: startsAt, status: 'scheduled' }, at);
        return;
      }
      case 'MeetingRescheduled':
        return this.changeMeeting(e.data.meetingId, at, { starts_at: e.data.startsAt, status: 'rescheduled' });
      case 'MeetingCancelled':
        return this.changeMeeting(e.data.meetingId, at, { status: 'cancelled' });
      case 'MeetingClosed':
        return this.changeMeeting(e.data.meetingId, at, { status: 'closed' });
      case 'ObserverInvited':
        this.participantOnce(e.data.observerId, e.data.name, 'observer', at);
        return this.changeRecord(e.data.observerId, e.data.meetingId, at, { invited: 1 });
      case 'AttendanceRecorded':
        this.participantOnce(e.data.participantId, e.data.participantId, e.data.role, at);
        // A later record replaces the earlier one.
        return this.changeRecord(e.data.participantId, e.data.meetingId, at, { status: e.data.status });
      default:
        return assertNever(e);
    }
  }

  /** A participant first seen keeps the name and role it was first seen with, until admitted. */
  private participantOnce(id: string, name: string, role: ParticipantRow['role'], at: number): void {
    if (!this.participants.current([id])) this.participants.put([id], { name, role }, at);
  }

  private changeMeeting(meetingId: string, at: number, change: Partial<MeetingRow>): void {
    const meeting = this.meetings.current([meetingId]);
    if (!meeting) return;
    const changed = { ...meeting, ...change };
    this.meetings.put([meetingId], changed, at);
    const cancelled = changed.status === 'cancelled' ? 1 : 0;
    if (changed.starts_at === meeting.starts_at && cancelled === (meeting.status === 'cancelled' ? 1 : 0)) return;
    for (const { participant_id } of this.statements.participantsOf.all(meetingId)) {
      const before = [participant_id, meeting.starts_at, meetingId];
      const record = this.records.current(before);
      if (!record) continue;
      if (changed.starts_at !== meeting.starts_at) this.records.end(before, at);
      this.records.put([participant_id, changed.starts_at, meetingId], { ...record, cancelled }, at);
    }
  }

  private changeRecord(participantId: string, meetingId: string, at: number, change: Partial<RecordRow>): void {
    const meeting = this.meetings.current([meetingId]);
    const key = [participantId, meeting?.starts_at ?? '', meetingId];
    // A participant's first record at a meeting is the common case: knowing it is new spares a lookup.
    const isNew = this.statements.participation.run(meetingId, participantId).changes === 1;
    const record = (isNew ? undefined : this.records.current(key)) ?? {
      cancelled: meeting?.status === 'cancelled' ? 1 : 0,
      invited: 0,
      status: null,
    };
    this.records.put(key, { ...record, ...change }, at, isNew);
  }

  forget(): void {
    this.participants.forget();
    this.meetings.forget();
    this.records.forget();
  }
}

/** Attendance history per member and observer. Invitation and attendance are separate facts. */
export const attendanceProjection: Projection = {
  name: 'attendance',
  version: 2,
  eventTypes,
  tables: ['attendance_participants', 'attendance_meetings', 'attendance_records', 'attendance_participation'],
  schema,
  writer: (db) => new AttendanceWriter(db),
};
