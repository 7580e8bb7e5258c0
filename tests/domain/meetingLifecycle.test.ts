import { describe, expect, it } from 'vitest';
import { decideMeeting } from '../../src/domain/meeting/decide.js';
import type { MeetingCommand } from '../../src/domain/meeting/commands.js';
import { DomainRuleViolation, MeetingNotFound, MeetingNotOpen } from '../../src/domain/errors.js';
import { evolveMeeting, initialMeeting } from '../../src/domain/meeting/meeting.js';
import {
  campaignItem,
  givenMeeting,
  lakeChadItem,
  meetingCancelled,
  meetingClosed,
  meetingId,
  meetingRescheduled,
  meetingScheduled,
  mosulOutcomeId,
} from './smallGroupMeeting.js';

const schedule = (
  data: Partial<Extract<MeetingCommand, { type: 'ScheduleMeeting' }>['data']> = {},
): MeetingCommand => ({
  type: 'ScheduleMeeting',
  meetingId,
  data: { ...meetingScheduled.data, endsAt: undefined, host: undefined, agenda: [], ...data },
});

const reschedule = (startsAt: string, endsAt?: string, reason?: string): MeetingCommand => ({
  type: 'RescheduleMeeting',
  meetingId,
  data: { startsAt, ...(endsAt !== undefined && { endsAt }), ...(reason !== undefined && { reason }) },
});

const cancel: MeetingCommand = {
  type: 'CancelMeeting',
  meetingId,
  data: { reason: 'Folded into the ministerial plenary' },
};
const close: MeetingCommand = { type: 'CloseMeeting', meetingId, data: {} };

/** Every command that changes an open meeting; none of them may touch a cancelled or closed one. */
const changes: [string, MeetingCommand][] = [
  ['RescheduleMeeting', reschedule('2017-07-14T13:00:00.000Z')],
  ['CancelMeeting', cancel],
  [
    'AddAgendaItem',
    { type: 'AddAgendaItem', meetingId, data: { itemId: 'counter-finance', title: 'Counter Finance' } },
  ],
  [
    'InviteObserver',
    {
      type: 'InviteObserver',
      meetingId,
      data: { observerId: 'african-union', name: 'African Union', kind: 'organization' },
    },
  ],
  [
    'RecordOutcome',
    {
      type: 'RecordOutcome',
      meetingId,
      data: { outcomeId: mosulOutcomeId, kind: 'milestone', summary: 'Mosul liberated' },
    },
  ],
  ['CloseMeeting', close],
];

const attend: MeetingCommand = {
  type: 'RecordAttendance',
  meetingId,
  data: { participantId: 'iraq', status: 'present', memberAdmitted: true },
};

describe('ScheduleMeeting', () => {
  it('schedules the Small Group meeting with its agenda, end and host', () => {
    givenMeeting([])
      .when(
        schedule({
          endsAt: '2017-07-13T21:00:00.000Z',
          host: 'Special Presidential Envoy Brett McGurk',
          agenda: [campaignItem, lakeChadItem],
        }),
      )
      .then([meetingScheduled]);
  });

  it('records a missing end and a missing host as null and an empty agenda as empty', () => {
    givenMeeting([])
      .when(schedule())
      .then([{ type: 'MeetingScheduled', data: { ...meetingScheduled.data, endsAt: null, host: null, agenda: [] } }]);
  });

  it('refuses to schedule a meeting that is already scheduled', () => {
    givenMeeting([meetingScheduled]).when(schedule()).thenThrows(DomainRuleViolation, 'meeting-already-scheduled');
  });

  it('refuses to schedule again a meeting that was cancelled', () => {
    givenMeeting([meetingScheduled, meetingCancelled])
      .when(schedule())
      .thenThrows(DomainRuleViolation, 'meeting-already-scheduled');
  });

  it('refuses an agenda that names the same item id twice', () => {
    const twice = [lakeChadItem, { itemId: 'lake-chad-basin', title: 'West Africa' }];
    givenMeeting([])
      .when(schedule({ agenda: twice }))
      .thenThrows(DomainRuleViolation, 'duplicate-agenda-item');
  });
});

describe('RescheduleMeeting', () => {
  it('moves the meeting and carries where it was before', () => {
    givenMeeting([meetingScheduled])
      .when(reschedule('2017-07-13T14:00:00.000Z', '2017-07-13T22:00:00.000Z', 'The plenary of 12 July ran late'))
      .then([meetingRescheduled]);
  });

  it('keeps the meeting eight hours long when no new end is given', () => {
    givenMeeting([meetingScheduled])
      .when(reschedule('2017-07-14T12:30:00.000Z'))
      .then([
        {
          type: 'MeetingRescheduled',
          data: {
            meetingId,
            startsAt: '2017-07-14T12:30:00.000Z',
            endsAt: '2017-07-14T20:30:00.000Z',
            previousStartsAt: '2017-07-13T13:00:00.000Z',
            previousEndsAt: '2017-07-13T21:00:00.000Z',
            reason: null,
          },
        },
      ]);
  });

  it('leaves the end open when the meeting never had one', () => {
    const openEnded = { type: 'MeetingScheduled' as const, data: { ...meetingScheduled.data, endsAt: null } };
    givenMeeting([openEnded])
      .when(reschedule('2017-07-14T13:00:00.000Z'))
      .then([
        {
          type: 'MeetingRescheduled',
          data: {
            meetingId,
            startsAt: '2017-07-14T13:00:00.000Z',
            endsAt: null,
            previousStartsAt: '2017-07-13T13:00:00.000Z',
            previousEndsAt: null,
            reason: null,
          },
        },
      ]);
  });

  it('takes the previous times from the last reschedule, not from the original schedule', () => {
    givenMeeting([meetingScheduled, meetingRescheduled])
      .when(reschedule('2017-07-13T15:00:00.000Z'))
      .then([
        {
          type: 'MeetingRescheduled',
          data: {
            meetingId,
            startsAt: '2017-07-13T15:00:00.000Z',
            endsAt: '2017-07-13T23:00:00.000Z',
            previousStartsAt: '2017-07-13T14:00:00.000Z',
            previousEndsAt: '2017-07-13T22:00:00.000Z',
            reason: null,
          },
        },
      ]);
  });
});

describe('CancelMeeting', () => {
  it('cancels a scheduled meeting with its reason', () => {
    givenMeeting([meetingScheduled]).when(cancel).then([meetingCancelled]);
  });

  it('cancels a meeting that was rescheduled', () => {
    givenMeeting([meetingScheduled, meetingRescheduled]).when(cancel).then([meetingCancelled]);
  });
});

describe('CloseMeeting', () => {
  it('closes a scheduled meeting', () => {
    givenMeeting([meetingScheduled]).when(close).then([meetingClosed]);
  });

  it('closes a meeting that was rescheduled', () => {
    givenMeeting([meetingScheduled, meetingRescheduled]).when(close).then([meetingClosed]);
  });
});

describe('a meeting that was never scheduled', () => {
  it.each([...changes, ['RecordAttendance', attend] as [string, MeetingCommand]])(
    'refuses %s as not found',
    (_name, command) => {
      givenMeeting([]).when(command).thenThrows(MeetingNotFound, 'meeting-not-found');
    },
  );
});

describe('a meeting that is no longer open', () => {
  it.each(changes)('refuses %s on a cancelled meeting', (_name, command) => {
    givenMeeting([meetingScheduled, meetingCancelled]).when(command).thenThrows(MeetingNotOpen, 'meeting-not-open');
  });

  it.each(changes)('refuses %s on a closed meeting', (_name, command) => {
    givenMeeting([meetingScheduled, meetingClosed]).when(command).thenThrows(MeetingNotOpen, 'meeting-not-open');
  });

  it('tells the caller, with a 422, which status keeps the meeting from changing', () => {
    const state = [meetingScheduled, meetingCancelled].reduce(evolveMeeting, initialMeeting());
    let thrown: unknown;
    try {
      decideMeeting(close, state);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(MeetingNotOpen);
    expect(thrown).toMatchObject({ status: 422, code: 'meeting-not-open', extensions: { meetingStatus: 'cancelled' } });
  });
});
