import { describe, expect, it } from 'vitest';
import type { MeetingEvent } from '../../src/domain/meeting/events.js';
import { evolveMeeting, initialMeeting } from '../../src/domain/meeting/meeting.js';
import { meetingView } from '../../src/domain/meeting/meetingView.js';
import {
  africanUnionInvited,
  attendance,
  campaignItem,
  lakeChadItem,
  meetingCancelled,
  meetingClosed,
  meetingId,
  meetingRescheduled,
  meetingScheduled,
  mnjtfInvited,
  mosulOnTheVerge,
  stabilizationItem,
} from './smallGroupMeeting.js';

/** The meeting folded from `events`, as callers see it. */
const fold = (events: MeetingEvent[]) => {
  const meeting = events.reduce(evolveMeeting, initialMeeting());
  return meeting.status === 'none' ? meeting : meetingView(meeting);
};

const asScheduled = {
  status: 'scheduled',
  meetingId,
  title: 'Small Group meeting of the Global Coalition to Defeat ISIS',
  forum: 'small-group',
  startsAt: '2017-07-13T13:00:00.000Z',
  endsAt: '2017-07-13T21:00:00.000Z',
  location: 'Washington, D.C.',
  host: 'Special Presidential Envoy Brett McGurk',
  cancellationReason: null,
  agenda: [campaignItem, lakeChadItem],
  observers: [],
  attendance: [],
  outcomes: [],
};

describe('evolveMeeting', () => {
  it('starts from a meeting that does not exist', () => {
    expect(fold([])).toEqual({ status: 'none' });
  });

  it('ignores an event for a meeting that was never scheduled', () => {
    expect(fold([meetingClosed])).toEqual({ status: 'none' });
  });

  it('folds the scheduling into a scheduled meeting', () => {
    expect(fold([meetingScheduled])).toEqual(asScheduled);
  });

  it('folds the whole Small Group meeting: scheduled, rescheduled, attended and closed', () => {
    const meeting = fold([
      meetingScheduled,
      meetingRescheduled,
      { type: 'AgendaItemAdded', data: { meetingId, ...stabilizationItem } },
      africanUnionInvited,
      mnjtfInvited,
      attendance('iraq', 'member', 'absent'),
      attendance('african-union', 'observer', 'present'),
      attendance('mnjtf', 'observer', 'present'),
      attendance('iraq', 'member', 'present'),
      mosulOnTheVerge,
      meetingClosed,
    ]);
    expect(meeting).toEqual({
      ...asScheduled,
      status: 'closed',
      startsAt: '2017-07-13T14:00:00.000Z',
      endsAt: '2017-07-13T22:00:00.000Z',
      agenda: [campaignItem, lakeChadItem, stabilizationItem],
      observers: [
        { observerId: 'african-union', name: 'African Union', kind: 'organization', session: 'lake-chad-basin' },
        {
          observerId: 'mnjtf',
          name: 'Multi National Joint Task Force (MNJTF)',
          kind: 'organization',
          session: 'lake-chad-basin',
        },
      ],
      attendance: [
        { participantId: 'african-union', role: 'observer', status: 'present' },
        { participantId: 'mnjtf', role: 'observer', status: 'present' },
        { participantId: 'iraq', role: 'member', status: 'present' },
      ],
      outcomes: [
        {
          outcomeId: mosulOnTheVerge.data.outcomeId,
          agendaItemId: 'campaign-priorities',
          kind: 'assessment',
          summary: mosulOnTheVerge.data.summary,
          theatre: 'mosul',
          stage: 'verge-of-liberation',
          occurredOn: '2017-07-05',
          status: 'standing',
          corrections: 0,
          history: [],
        },
      ],
    });
  });

  it('marks a moved meeting as rescheduled with its new times', () => {
    expect(fold([meetingScheduled, meetingRescheduled])).toMatchObject({
      status: 'rescheduled',
      startsAt: '2017-07-13T14:00:00.000Z',
      endsAt: '2017-07-13T22:00:00.000Z',
    });
  });

  it('keeps the cancellation reason of a cancelled meeting', () => {
    expect(fold([meetingScheduled, meetingRescheduled, meetingCancelled])).toEqual({
      ...asScheduled,
      status: 'cancelled',
      startsAt: '2017-07-13T14:00:00.000Z',
      endsAt: '2017-07-13T22:00:00.000Z',
      cancellationReason: 'Folded into the ministerial plenary',
    });
  });

  it('leaves the scheduling event untouched when items are added to the agenda later', () => {
    fold([meetingScheduled, { type: 'AgendaItemAdded', data: { meetingId, ...stabilizationItem } }]);
    expect(meetingScheduled.data.agenda).toEqual([campaignItem, lakeChadItem]);
  });
});
