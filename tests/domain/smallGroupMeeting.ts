import { meetingDecider, memberDecider } from '../../src/application/ledgerCommands.js';
import type { MeetingEventOf } from '../../src/domain/meeting/events.js';
import { deciderSpec } from './deciderSpec.js';

// The Small Group of the Global Coalition to Defeat ISIS, Washington, 13 July 2017, as announced in the
// State Department media note of 5 July 2017 (shared/seed/press-release-2017-07-05.txt).

export const givenMeeting = deciderSpec(meetingDecider);
export const givenMember = deciderSpec(memberDecider);

export const meetingId = '01BKS3Q5G0X7Y8Z9ABCDEFGHJK';
export const mosulOutcomeId = '01BKS3Q5G1A2B3C4D5E6F7G8H9';
export const raqqaOutcomeId = '01BKS3Q5G2A2B3C4D5E6F7G8H9';

export const campaignItem = {
  itemId: 'campaign-priorities',
  title: 'Priorities to build on the progress in Mosul and Raqqa',
};
export const lakeChadItem = {
  itemId: 'lake-chad-basin',
  title: 'Special session: the ISIS threat in the Lake Chad Basin region in West Africa',
};
export const stabilizationItem = { itemId: 'stabilization', title: 'Voluntary return home of the displaced' };

export const meetingScheduled: MeetingEventOf<'MeetingScheduled'> = {
  type: 'MeetingScheduled',
  data: {
    meetingId,
    title: 'Small Group meeting of the Global Coalition to Defeat ISIS',
    forum: 'small-group',
    startsAt: '2017-07-13T13:00:00.000Z',
    endsAt: '2017-07-13T21:00:00.000Z',
    location: 'Washington, D.C.',
    host: 'Special Presidential Envoy Brett McGurk',
    agenda: [campaignItem, lakeChadItem],
  },
};

export const meetingRescheduled: MeetingEventOf<'MeetingRescheduled'> = {
  type: 'MeetingRescheduled',
  data: {
    meetingId,
    startsAt: '2017-07-13T14:00:00.000Z',
    endsAt: '2017-07-13T22:00:00.000Z',
    previousStartsAt: '2017-07-13T13:00:00.000Z',
    previousEndsAt: '2017-07-13T21:00:00.000Z',
    reason: 'The plenary of 12 July ran late',
  },
};

export const meetingCancelled: MeetingEventOf<'MeetingCancelled'> = {
  type: 'MeetingCancelled',
  data: { meetingId, reason: 'Folded into the ministerial plenary' },
};

export const meetingClosed: MeetingEventOf<'MeetingClosed'> = { type: 'MeetingClosed', data: { meetingId } };

export const africanUnionInvited: MeetingEventOf<'ObserverInvited'> = {
  type: 'ObserverInvited',
  data: {
    meetingId,
    observerId: 'african-union',
    name: 'African Union',
    kind: 'organization',
    session: 'lake-chad-basin',
  },
};

export const mnjtfInvited: MeetingEventOf<'ObserverInvited'> = {
  type: 'ObserverInvited',
  data: {
    meetingId,
    observerId: 'mnjtf',
    name: 'Multi National Joint Task Force (MNJTF)',
    kind: 'organization',
    session: 'lake-chad-basin',
  },
};

export const mosulOnTheVerge: MeetingEventOf<'OutcomeRecorded'> = {
  type: 'OutcomeRecorded',
  data: {
    meetingId,
    outcomeId: mosulOutcomeId,
    agendaItemId: 'campaign-priorities',
    kind: 'assessment',
    summary: 'Through Coalition support, Mosul is on the verge of liberation by the Iraqi Security Forces.',
    theatre: 'mosul',
    stage: 'verge-of-liberation',
    occurredOn: '2017-07-05',
  },
};

export const attendance = (
  participantId: string,
  role: 'member' | 'observer',
  status: 'present' | 'absent',
): MeetingEventOf<'AttendanceRecorded'> => ({
  type: 'AttendanceRecorded',
  data: { meetingId, participantId, role, status },
});
