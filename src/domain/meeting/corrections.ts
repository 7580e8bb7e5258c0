import { DomainRuleViolation, MeetingNotFound, MeetingNotOpen } from '../errors.js';
import type { MeetingCommand } from './commands.js';
import type { MeetingEvent } from './events.js';
import type { Meeting, Outcome } from './meeting.js';

type Correction = Extract<MeetingCommand, { type: 'AmendOutcome' | 'RetractOutcome' }>;

/**
 * Finds the outcome a correction names. Minutes are corrected after the meeting, so a closed meeting
 * takes corrections; a cancelled one never met, and a retracted outcome is no longer there to correct.
 */
const standingOutcome = (state: Meeting, command: Correction): Outcome => {
  if (state.status === 'none') throw new MeetingNotFound(command.meetingId);
  if (state.status === 'cancelled') throw new MeetingNotOpen(state.meetingId, state.status);
  const { outcomeId } = command.data;
  const outcome = state.outcomes.get(outcomeId);
  if (outcome === undefined) {
    throw new DomainRuleViolation('outcome-not-found', `Meeting ${state.meetingId} has no outcome ${outcomeId}`, {
      outcomeId,
    });
  }
  if (outcome.status === 'retracted') {
    throw new DomainRuleViolation('outcome-retracted', `Outcome ${outcomeId} was retracted; it takes no correction`, {
      outcomeId,
    });
  }
  return outcome;
};

export const decideAmendOutcome = (
  command: Extract<MeetingCommand, { type: 'AmendOutcome' }>,
  state: Meeting,
): MeetingEvent[] => {
  const outcome = standingOutcome(state, command);
  const { outcomeId, reason } = command.data;
  const summary = command.data.summary ?? outcome.summary;
  const stage = command.data.stage ?? outcome.stage;
  const theatre = command.data.theatre ?? outcome.theatre;
  if (stage !== null && theatre === null) {
    throw new DomainRuleViolation('stage-needs-theatre', `Outcome ${outcomeId} names no theatre to give a stage`, {
      field: 'stage',
    });
  }
  if (summary === outcome.summary && stage === outcome.stage && theatre === outcome.theatre) return [];
  const previous = { summary: outcome.summary, stage: outcome.stage, theatre: outcome.theatre };
  return [
    {
      type: 'OutcomeAmended',
      data: { meetingId: command.meetingId, outcomeId, summary, stage, theatre, reason, previous },
    },
  ];
};

export const decideRetractOutcome = (
  command: Extract<MeetingCommand, { type: 'RetractOutcome' }>,
  state: Meeting,
): MeetingEvent[] => {
  standingOutcome(state, command);
  const { outcomeId, reason } = command.data;
  return [{ type: 'OutcomeRetracted', data: { meetingId: command.meetingId, outcomeId, reason } }];
};
