import { DomainRuleViolation, MeetingNotFound, MeetingNotOpen } from '../errors.js';
import { assertNever } from '../shared/assertNever.js';
import type { MeetingCommand } from './commands.js';
import { decideAmendOutcome, decideRetractOutcome } from './corrections.js';
import type { MeetingEvent } from './events.js';
import type { Meeting, ScheduledMeeting } from './meeting.js';

const open = (state: Meeting, meetingId: string): ScheduledMeeting => {
  if (state.status === 'none') throw new MeetingNotFound(meetingId);
  if (state.status === 'cancelled' || state.status === 'closed')
    throw new MeetingNotOpen(state.meetingId, state.status);
  return state;
};

const requireAgendaItem = (state: ScheduledMeeting, itemId: string, field: string): void => {
  if (!state.agenda.has(itemId)) {
    throw new DomainRuleViolation('agenda-item-not-found', `Meeting ${state.meetingId} has no agenda item ${itemId}`, {
      field,
    });
  }
};

const shiftedEnd = (state: ScheduledMeeting, startsAt: string): string | null => {
  // Moving a meeting without naming a new end keeps its length.
  if (state.endsAt === null) return null;
  const length = Date.parse(state.endsAt) - Date.parse(state.startsAt);
  return new Date(Date.parse(startsAt) + length).toISOString();
};

/**
 * Decides what a command on a meeting means, given the meeting as its stream tells it.
 * Pure: no clock, no ids, no I/O; the handler supplies all three.
 */
export const decideMeeting = (command: MeetingCommand, state: Meeting): MeetingEvent[] => {
  switch (command.type) {
    case 'ScheduleMeeting': {
      if (state.status !== 'none') {
        throw new DomainRuleViolation('meeting-already-scheduled', `Meeting ${state.meetingId} is already scheduled`);
      }
      const itemIds = command.data.agenda.map((item) => item.itemId);
      if (new Set(itemIds).size !== itemIds.length) {
        throw new DomainRuleViolation('duplicate-agenda-item', 'Agenda item ids must be unique within a meeting');
      }
      const { meetingId, title, forum, startsAt, endsAt, location, host, agenda } = command.data;
      return [
        {
          type: 'MeetingScheduled',
          data: { meetingId, title, forum, startsAt, endsAt: endsAt ?? null, location, host: host ?? null, agenda },
        },
      ];
    }
    case 'RescheduleMeeting': {
      const meeting = open(state, command.meetingId);
      const { startsAt, endsAt, reason } = command.data;
      const newEnd = endsAt ?? shiftedEnd(meeting, startsAt);
      return [
        {
          type: 'MeetingRescheduled',
          data: {
            meetingId: meeting.meetingId,
            startsAt,
            endsAt: newEnd,
            previousStartsAt: meeting.startsAt,
            previousEndsAt: meeting.endsAt,
            reason: reason ?? null,
          },
        },
      ];
    }
    case 'CancelMeeting': {
      const meeting = open(state, command.meetingId);
      return [{ type: 'MeetingCancelled', data: { meetingId: meeting.meetingId, reason: command.data.reason } }];
    }
    case 'AddAgendaItem': {
      const meeting = open(state, command.meetingId);
      const existing = meeting.agenda.get(command.data.itemId);
      if (existing?.title === command.data.title) return []; // the same item added again changes nothing
      if (existing) {
        throw new DomainRuleViolation('duplicate-agenda-item', `Agenda item ${command.data.itemId} already exists`);
      }
      const { itemId, title } = command.data;
      return [{ type: 'AgendaItemAdded', data: { meetingId: meeting.meetingId, itemId, title } }];
    }
    case 'InviteObserver': {
      const meeting = open(state, command.meetingId);
      if (meeting.observers.has(command.data.observerId)) return [];
      const { observerId, name, kind, session } = command.data;
      if (session !== undefined) requireAgendaItem(meeting, session, 'session');
      return [
        {
          type: 'ObserverInvited',
          data: { meetingId: meeting.meetingId, observerId, name, kind, session: session ?? null },
        },
      ];
    }
    case 'RecordAttendance': {
      if (state.status === 'none') throw new MeetingNotFound(command.meetingId);
      if (state.status === 'cancelled') throw new MeetingNotOpen(state.meetingId, state.status);
      const { participantId, status, memberAdmitted } = command.data;
      const isObserver = state.observers.has(participantId);
      if (!memberAdmitted && !isObserver) {
        throw new DomainRuleViolation(
          'participant-not-eligible',
          `${participantId} is neither an admitted member nor an observer invited to meeting ${state.meetingId}`,
          { participantId },
        );
      }
      const current = state.attendance.get(participantId);
      if (current?.status === status) return []; // recording what is already recorded changes nothing
      const role = memberAdmitted ? 'member' : 'observer';
      return [{ type: 'AttendanceRecorded', data: { meetingId: state.meetingId, participantId, role, status } }];
    }
    case 'RecordOutcome': {
      const meeting = open(state, command.meetingId);
      const { outcomeId, agendaItemId, theatre, stage, occurredOn, kind, summary } = command.data;
      if (meeting.outcomes.has(outcomeId)) {
        throw new DomainRuleViolation('duplicate-outcome', `Outcome ${outcomeId} is already recorded`);
      }
      if (agendaItemId !== undefined) requireAgendaItem(meeting, agendaItemId, 'agendaItemId');
      return [
        {
          type: 'OutcomeRecorded',
          data: {
            meetingId: meeting.meetingId,
            outcomeId,
            agendaItemId: agendaItemId ?? null,
            kind,
            summary,
            theatre: theatre ?? null,
            stage: stage ?? null,
            occurredOn: occurredOn ?? null,
          },
        },
      ];
    }
    case 'CloseMeeting': {
      const meeting = open(state, command.meetingId);
      return [{ type: 'MeetingClosed', data: { meetingId: meeting.meetingId } }];
    }
    case 'AmendOutcome':
      return decideAmendOutcome(command, state);
    case 'RetractOutcome':
      return decideRetractOutcome(command, state);
    default:
      return assertNever(command);
  }
};
