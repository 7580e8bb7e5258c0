import { DomainRuleViolation } from '../errors.js';
import type { Limits } from './commands.js';
import type { MeetingEvent } from './events.js';
import type { Meeting } from './meeting.js';

const limitReached = (what: string, limit: number, setting: keyof Limits) =>
  new DomainRuleViolation(`${what}-limit`, `A meeting holds at most ${limit} ${what.replaceAll('-', ' ')}s`, {
    limit,
    setting,
  });

/**
 * The counts a meeting may reach (LEDGER_LIMITS), checked on what `decide` produced: only what a
 * command would add counts, so a command that changes nothing (an observer invited again), or that
 * `decide` refuses for its own reason (a closed meeting, a duplicate outcome), is answered as
 * without limits.
 */
export const enforceMeetingLimits = (events: readonly MeetingEvent[], state: Meeting, limits: Limits): void => {
  const before =
    state.status === 'none'
      ? { agenda: 0, observers: 0, outcomes: 0 }
      : {
          agenda: state.agenda.size,
          observers: state.observers.size,
          outcomes: state.outcomes.size,
        };
  const added = (type: MeetingEvent['type']) => events.filter((event) => event.type === type).length;
  const scheduledAgenda = events.reduce(
    (sum, event) => sum + (event.type === 'MeetingScheduled' ? event.data.agenda.length : 0),
    0,
  );
  if (before.agenda + scheduledAgenda + added('AgendaItemAdded') > limits.agendaItemsPerMeeting) {
    throw limitReached('agenda-item', limits.agendaItemsPerMeeting, 'agendaItemsPerMeeting');
  }
  if (before.observers + added('ObserverInvited') > limits.observersPerMeeting) {
    throw limitReached('observer', limits.observersPerMeeting, 'observersPerMeeting');
  }
  if (before.outcomes + added('OutcomeRecorded') > limits.outcomesPerMeeting) {
    throw limitReached('outcome', limits.outcomesPerMeeting, 'outcomesPerMeeting');
  }
};
