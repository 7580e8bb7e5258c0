import { describe, it } from 'vitest';
import { meetingDeciderWith } from '../../src/application/ledgerCommands.js';
import { DomainRuleViolation, MeetingNotOpen } from '../../src/domain/errors.js';
import { defaultLimits, type MeetingCommand } from '../../src/domain/meeting/commands.js';
import { deciderSpec } from './deciderSpec.js';
import {
  africanUnionInvited,
  meetingId,
  meetingScheduled,
  mnjtfInvited,
  stabilizationItem,
} from './smallGroupMeeting.js';

/** The meeting decider as the ledger runs it, with limits small enough to reach. */
const limited = (limits: Partial<typeof defaultLimits>) =>
  deciderSpec(meetingDeciderWith({ ...defaultLimits, ...limits }));

const invite = (observer: typeof africanUnionInvited): MeetingCommand => ({
  type: 'InviteObserver',
  meetingId,
  data: { ...observer.data, session: undefined },
});

describe('limits on what a meeting holds', () => {
  it('refuses an agenda item past agendaItemsPerMeeting', () => {
    const items = meetingScheduled.data.agenda.length;
    limited({ agendaItemsPerMeeting: items })([meetingScheduled])
      .when({ type: 'AddAgendaItem', meetingId, data: stabilizationItem })
      .thenThrows(DomainRuleViolation, 'agenda-item-limit');
  });

  it('refuses to schedule a meeting whose agenda is already past the limit', () => {
    const { meetingId: id, ...data } = meetingScheduled.data;
    limited({ agendaItemsPerMeeting: data.agenda.length - 1 })([])
      .when({ type: 'ScheduleMeeting', meetingId: id, data: { ...data, meetingId: id } } as MeetingCommand)
      .thenThrows(DomainRuleViolation, 'agenda-item-limit');
  });

  it('lets an observer already invited be invited again at the limit, and refuses a new one', () => {
    const spec = limited({ observersPerMeeting: 1 })([meetingScheduled, africanUnionInvited]);
    spec.when(invite(africanUnionInvited)).thenNothingHappens();
    spec.when(invite(mnjtfInvited)).thenThrows(DomainRuleViolation, 'observer-limit');
  });

  it('answers a closed meeting as closed, not as full', () => {
    limited({ agendaItemsPerMeeting: 0 })([meetingScheduled, { type: 'MeetingClosed', data: { meetingId } }])
      .when({ type: 'AddAgendaItem', meetingId, data: stabilizationItem })
      .thenThrows(MeetingNotOpen);
  });
});
