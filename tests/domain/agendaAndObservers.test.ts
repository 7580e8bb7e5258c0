import { describe, it } from 'vitest';
import { DomainRuleViolation } from '../../src/domain/errors.js';
import type { MeetingCommand } from '../../src/domain/meeting/commands.js';
import {
  africanUnionInvited,
  campaignItem,
  givenMeeting,
  lakeChadItem,
  meetingId,
  meetingRescheduled,
  meetingScheduled,
  mnjtfInvited,
  stabilizationItem,
} from './smallGroupMeeting.js';

const addAgendaItem = (item: { itemId: string; title: string }): MeetingCommand => ({
  type: 'AddAgendaItem',
  meetingId,
  data: item,
});

const invite = (data: Extract<MeetingCommand, { type: 'InviteObserver' }>['data']): MeetingCommand => ({
  type: 'InviteObserver',
  meetingId,
  data,
});

describe('AddAgendaItem', () => {
  it('adds an item to the agenda', () => {
    givenMeeting([meetingScheduled])
      .when(addAgendaItem(stabilizationItem))
      .then([{ type: 'AgendaItemAdded', data: { meetingId, ...stabilizationItem } }]);
  });

  it('adds an item to a meeting that was rescheduled', () => {
    givenMeeting([meetingScheduled, meetingRescheduled])
      .when(addAgendaItem(stabilizationItem))
      .then([{ type: 'AgendaItemAdded', data: { meetingId, ...stabilizationItem } }]);
  });

  it('changes nothing when an item from the original agenda is added again with the same title', () => {
    givenMeeting([meetingScheduled]).when(addAgendaItem(lakeChadItem)).thenNothingHappens();
  });

  it('changes nothing when an added item is added again with the same title', () => {
    givenMeeting([meetingScheduled, { type: 'AgendaItemAdded', data: { meetingId, ...stabilizationItem } }])
      .when(addAgendaItem(stabilizationItem))
      .thenNothingHappens();
  });

  it('refuses an item whose id is already on the agenda under another title', () => {
    givenMeeting([meetingScheduled])
      .when(addAgendaItem({ itemId: campaignItem.itemId, title: 'Counter Finance' }))
      .thenThrows(DomainRuleViolation, 'duplicate-agenda-item');
  });

  it('refuses an item whose id was added earlier under another title', () => {
    givenMeeting([meetingScheduled, { type: 'AgendaItemAdded', data: { meetingId, ...stabilizationItem } }])
      .when(addAgendaItem({ itemId: stabilizationItem.itemId, title: 'Stabilization Support working group report' }))
      .thenThrows(DomainRuleViolation, 'duplicate-agenda-item');
  });
});

describe('InviteObserver', () => {
  it('invites the African Union to the Lake Chad Basin special session', () => {
    givenMeeting([meetingScheduled])
      .when(
        invite({
          observerId: 'african-union',
          name: 'African Union',
          kind: 'organization',
          session: 'lake-chad-basin',
        }),
      )
      .then([africanUnionInvited]);
  });

  it('invites the Multi National Joint Task Force after the African Union', () => {
    givenMeeting([meetingScheduled, africanUnionInvited])
      .when(invite({ ...mnjtfInvited.data, session: 'lake-chad-basin' }))
      .then([mnjtfInvited]);
  });

  it('invites a state to the whole meeting, recording the absent session as null', () => {
    givenMeeting([meetingScheduled])
      .when(invite({ observerId: 'niger', name: 'Niger', kind: 'state' }))
      .then([
        {
          type: 'ObserverInvited',
          data: { meetingId, observerId: 'niger', name: 'Niger', kind: 'state', session: null },
        },
      ]);
  });

  it('invites an observer to a session added to the agenda after scheduling', () => {
    givenMeeting([meetingScheduled, { type: 'AgendaItemAdded', data: { meetingId, ...stabilizationItem } }])
      .when(invite({ observerId: 'chad', name: 'Chad', kind: 'state', session: 'stabilization' }))
      .then([
        {
          type: 'ObserverInvited',
          data: { meetingId, observerId: 'chad', name: 'Chad', kind: 'state', session: 'stabilization' },
        },
      ]);
  });

  it('changes nothing when the same observer is invited again', () => {
    givenMeeting([meetingScheduled, africanUnionInvited])
      .when(
        invite({
          observerId: 'african-union',
          name: 'African Union',
          kind: 'organization',
          session: 'lake-chad-basin',
        }),
      )
      .thenNothingHappens();
  });

  it('changes nothing when an invited observer is invited again to the whole meeting', () => {
    givenMeeting([meetingScheduled, africanUnionInvited])
      .when(invite({ observerId: 'african-union', name: 'African Union', kind: 'organization' }))
      .thenNothingHappens();
  });

  it('refuses an invitation to a session that is not on the agenda', () => {
    givenMeeting([meetingScheduled])
      .when(invite({ observerId: 'mnjtf', name: 'MNJTF', kind: 'organization', session: 'sahel' }))
      .thenThrows(DomainRuleViolation, 'agenda-item-not-found');
  });
});
