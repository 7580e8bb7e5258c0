import type Database from 'better-sqlite3';
import { HOLDS_AT } from '../store/temporalTable.js';
import type { MeetingStatus } from './attendanceProjection.js';

export type AttendanceQuery = { participantId?: string; from?: string; to?: string };

/**
 * A participant's counts over the meetings within [from, to) that were not cancelled: `invited`
 * those it was expected at (an invitation or an attendance record), `rate` attended / (attended +
 * absent), null before anything was recorded.
 */
export type ParticipantSummary = {
  participantId: string;
  name: string;
  role: 'member' | 'observer';
  invited: number;
  attended: number;
  absent: number;
  rate: number | null;
};

export type ParticipantMeeting = {
  meetingId: string;
  title: string;
  forum: string;
  startsAt: string;
  meetingStatus: MeetingStatus;
  invited: boolean;
  status: 'present' | 'absent' | 'not-recorded';
};

/** A participant's counts with its meetings (a CSV export lists both). */
export type ParticipantAttendance = ParticipantSummary & { meetings: ParticipantMeeting[] };

/** Where a page of meetings ends, in (startsAt, meetingId) order. */
export type MeetingKey = { startsAt: string; meetingId: string };

const END = '\uffff';

const participantsSql = `
  SELECT participant_id AS participantId, name, role FROM attendance_participants
  WHERE participant_id > @after AND ${HOLDS_AT}
  ORDER BY participant_id
  LIMIT @limit`;

const participantSql = `
  SELECT participant_id AS participantId, name, role FROM attendance_participants
  WHERE participant_id = @participant AND ${HOLDS_AT}`;

const countsSql = `
  SELECT count(*) AS invited, coalesce(sum(status = 'present'), 0) AS attended,
         coalesce(sum(status = 'absent'), 0) AS absent
  FROM attendance_records
  WHERE participant_id = @participant AND starts_at >= @from AND starts_at < @to AND starts_at <> ''
    AND cancelled = 0 AND ${HOLDS_AT}`;

const meetingsSql = `
  SELECT r.meeting_id AS meetingId, m.title, m.forum, r.starts_at AS startsAt, m.status AS meetingStatus,
         r.invited, r.status
  FROM attendance_records r
  JOIN attendance_meetings m ON m.meeting_id = r.meeting_id AND m.valid_from <= @at AND m.valid_to > @at
  WHERE r.participant_id = @participant AND r.starts_at >= @from AND r.starts_at < @to AND r.starts_at <> ''
    AND (r.starts_at > @afterStart OR (r.starts_at = @afterStart AND r.meeting_id > @afterMeeting))
    AND r.valid_from <= @at AND r.valid_to > @at
  ORDER BY r.starts_at, r.meeting_id
  LIMIT @limit`;

type Participant = Omit<ParticipantSummary, 'invited' | 'attended' | 'absent' | 'rate'>;

type MeetingRow = Omit<ParticipantMeeting, 'invited' | 'status'> & { invited: number; status: string | null };

/** Reads attendance as of any position the projection has reached, a page at a time. */
export class AttendanceReader {
  private readonly statements;

  constructor(db: Database.Database) {
    this.statements = {
      participants: db.prepare<Record<string, unknown>, Participant>(participantsSql),
      participant: db.prepare<Record<string, unknown>, Participant>(participantSql),
      counts: db.prepare<Record<string, unknown>, { invited: number; attended: number; absent: number }>(countsSql),
      meetings: db.prepare<Record<string, unknown>, MeetingRow>(meetingsSql),
    };
  }

  /** Participants by id after `after` (or the one named), at most `limit`; their counts come from `summary`. */
  participants(query: AttendanceQuery, at: number, limit: number, after?: string) {
    if (query.participantId !== undefined) {
      const named = this.statements.participant.get({ participant: query.participantId, at });
      return { participants: named && (after ?? '') < named.participantId ? [named] : [], next: null };
    }
    const rows = this.statements.participants.all({ after: after ?? '', at, limit: limit + 1 });
    return {
      participants: rows.slice(0, limit),
      next: rows.length > limit ? (rows[limit - 1]?.participantId ?? null) : null,
    };
  }

  /** One participant's counts: an index range scan over its meetings in the range, nothing else. */
  summary(participant: Participant, query: AttendanceQuery, at: number): ParticipantSummary {
    const counts = this.statements.counts.get({
      participant: participant.participantId,
      from: query.from ?? '',
      to: query.to ?? END,
      at,
    }) ?? { invited: 0, attended: 0, absent: 0 };
    const recorded = counts.attended + counts.absent;
    return { ...participant, ...counts, rate: recorded === 0 ? null : counts.attended / recorded };
  }

  /** A participant's meetings within [from, to) by start time, cancelled ones included, a page at a time. */
  meetings(participantId: string, query: AttendanceQuery, at: number, limit: number, after?: MeetingKey) {
    const rows = this.statements.meetings.all({
      participant: participantId,
      from: query.from ?? '',
      to: query.to ?? END,
      afterStart: after?.startsAt ?? '',
      afterMeeting: after?.meetingId ?? '',
      at,
      limit: limit + 1,
    });
    const meetings: ParticipantMeeting[] = rows.slice(0, limit).map((row) => ({
      ...row,
      invited: row.invited === 1,
      status: row.status === 'present' || row.status === 'absent' ? row.status : 'not-recorded',
    }));
    const last = meetings.at(-1);
    return {
      meetings,
      next: rows.length > limit && last ? { startsAt: last.startsAt, meetingId: last.meetingId } : null,
    };
  }
}
