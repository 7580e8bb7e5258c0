import { DomainRuleViolation } from '../errors.js';
import type { Limits, MeetingCommand } from './commands.js';
import type { Meeting } from './meeting.js';

const full = (what: string, limit: number, name: keyof Limits) =>
  new DomainRuleViolation(`${what}-limit`, `A meeting holds at most ${limit} ${what.replaceAll('-', ' ')}s`, {
    limit,
    setting: name,
  });

/**
 * The counts a meeting may reach (LEDGER_LIMITS): checked before `decide`, only on what a command
 * would add, so that a command which changes nothing (an observer invited again) still passes.
 */
export const enforceMeetingLimits = (command: MeetingCommand, state: Meeting, limits: Limits): void => {
  const meeting = state.status === 'none' ? undefined : state;
  switch (command.type) {
    case 'ScheduleMeeting':
      if (command.data.agenda.length > limits.agendaItemsPerMeeting) {
        throw full('agenda-item', limits.agendaItemsPerMeeting, 'agendaItemsPerMeeting');
      }
      return;
    case 'AddAgendaItem':
      if (meeting && meeting.agenda.length >= limits.agendaItemsPerMeeting) {
        throw full('agenda-item', limits.agendaItemsPerMeeting, 'agendaItemsPerMeeting');
      }
      return;
    case 'InviteObserver':
      if (
        meeting &&
        meeting.observers.length >= limits.observersPerMeeting &&
        !meeting.observers.some((o) => o.observerId === command.data.observerId)
      ) {
        throw full('observer', limits.observersPerMeeting, 'observersPerMeeting');
      }
      return;
    case 'RecordOutcome':
      if (meeting && meeting.outcomes.length >= limits.outcomesPerMeeting) {
        throw full('outcome', limits.outcomesPerMeeting, 'outcomesPerMeeting');
      }
      return;
    case 'RescheduleMeeting':
    case 'CancelMeeting':
    case 'RecordAttendance':
    case 'CloseMeeting':
    case 'AmendOutcome':
    case 'RetractOutcome':
      return;
  }
};
