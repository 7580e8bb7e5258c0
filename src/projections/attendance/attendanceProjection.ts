import type Database from 'better-sqlite3';
import { assertNever } from '../../domain/shared/assertNever.js';
import type { ProjectedEvent, Projection, ProjectionWriter } from '../projection.js';
import { CURRENT, TemporalTable } from '../store/temporalTable.js';

export type MeetingStatus = 'scheduled' | 'rescheduled' | 'cancelled' | 'closed';
type ParticipantRow = { name: string; role: 'member' | 'observer' };
type MeetingRow = { title: string; forum: string; starts_at: string; status: MeetingStatus };
/**
 * One participant at one meeting. The meeting's start and whether it was cancelled are copied in,
 * so a participant's counts over a date range are one index range scan; a reschedule or a
 * cancellation changes the rows of that meeting's participants.
 */
type RecordRow = {
  starts_at: string | null;
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
    participant_id TEXT NOT NULL, meeting_id TEXT NOT NULL, valid_from INTEGER NOT NULL, valid_to INTEGER NOT NULL,
    starts_at TEXT, cancelled INTEGER NOT NULL, invited INTEGER NOT NULL, status TEXT,
    PRIMARY KEY (participant_id, meeting_id, valid_from)
  ) WITHOUT ROWID;
  CREATE INDEX attendance_records_by_start
    ON attendance_records (participant_id, starts_at, meeting_id, valid_from, valid_to, cancelled, status, invited);
  CREATE INDEX attendance_records_of_meeting ON attendance_records (meeting_id, valid_to);`;

class AttendanceWriter implements ProjectionWriter {
  private readonly participants: TemporalTable<ParticipantRow>;
  private readonly meetings: TemporalTable<MeetingRow>;
  private readonly records: TemporalTable<RecordRow>;
  private readonly attendeesOf;

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
      ['participant_id', 'meeting_id'],
      ['starts_at', 'cancelled', 'invited', 'status'],
    );
    this.attendeesOf = db.prepare<[string], { participant_id: string }>(
      `SELECT participant_id FROM attendance_records WHERE meeting_id = ? AND valid_to = ${CURRENT}`,
    );
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
    const cancelled = changed.status === 'cancelled';
    if (changed.starts_at === meeting.starts_at && cancelled === (meeting.status === 'cancelled')) return;
    for (const { participant_id } of this.attendeesOf.all(meetingId)) {
      const record = this.records.current([participant_id, meetingId]);
      if (!record) continue;
      const copied = { ...record, starts_at: changed.starts_at, cancelled: cancelled ? 1 : 0 };
      this.records.put([participant_id, meetingId], copied, at);
    }
  }

  private changeRecord(participantId: string, meetingId: string, at: number, change: Partial<RecordRow>): void {
    const key = [participantId, meetingId];
    const meeting = this.meetings.current([meetingId]);
    const record = this.records.current(key) ?? {
      starts_at: meeting?.starts_at ?? null,
      cancelled: meeting?.status === 'cancelled' ? 1 : 0,
      invited: 0,
      status: null,
    };
    this.records.put(key, { ...record, ...change }, at);
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
  tables: ['attendance_participants', 'attendance_meetings', 'attendance_records'],
  schema,
  writer: (db) => new AttendanceWriter(db),
};
