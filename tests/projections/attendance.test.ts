import { describe, expect, it } from 'vitest';
import { attendanceProjection } from '../../src/projections/attendance/attendanceProjection.js';
import { attendanceOf } from './wholeAnswers.js';
import {
  admitted,
  africanUnion,
  attended,
  cancelled,
  closed,
  counterFinanceScheduled,
  germany,
  ids,
  invited,
  iraq,
  mnjtf,
  nigeria,
  plenaryScheduled,
  rescheduled,
  smallGroupScheduled,
} from './coalitionEvents.js';
import { projectionSpec } from './projectionSpec.js';

const given = projectionSpec(attendanceProjection, attendanceOf, {});

const week = [counterFinanceScheduled, plenaryScheduled, smallGroupScheduled, admitted(iraq), admitted(germany)];

const smallGroupFacts = {
  meetingId: ids.smallGroup,
  title: 'Small Group meeting of the Global Coalition to Defeat ISIS',
  forum: 'small-group',
  startsAt: '2017-07-13T13:00:00.000Z',
};

describe('attendance projection', () => {
  it('lists members and observers by id, each with its name and role', () => {
    const participants = given([...week, invited(ids.smallGroup, africanUnion, 'lake-chad-basin')]).answer({});
    expect(participants.map(({ participantId, name, role }) => ({ participantId, name, role }))).toEqual([
      { participantId: 'african-union', name: 'African Union', role: 'observer' },
      { participantId: 'germany', name: 'Germany', role: 'member' },
      { participantId: 'iraq', name: 'Iraq', role: 'member' },
    ]);
  });

  it('counts an invitation with no attendance recorded as invited, neither attended nor absent', () => {
    given([smallGroupScheduled, invited(ids.smallGroup, mnjtf, 'lake-chad-basin')]).then([
      {
        participantId: 'mnjtf',
        name: 'Multi National Joint Task Force (MNJTF)',
        role: 'observer',
        invited: 1,
        attended: 0,
        absent: 0,
        rate: null,
        meetings: [{ ...smallGroupFacts, meetingStatus: 'scheduled', invited: true, status: 'not-recorded' }],
      },
    ]);
  });

  it('keeps attendance separate from invitation: a member attends without being invited', () => {
    given([smallGroupScheduled, admitted(iraq), attended(ids.smallGroup, iraq, 'member', 'present')])
      .when({ participantId: 'iraq' })
      .then([
        {
          participantId: 'iraq',
          name: 'Iraq',
          role: 'member',
          invited: 1,
          attended: 1,
          absent: 0,
          rate: 1,
          meetings: [{ ...smallGroupFacts, meetingStatus: 'scheduled', invited: false, status: 'present' }],
        },
      ]);
  });

  it('keeps an invited observer invited once recorded absent', () => {
    given([
      smallGroupScheduled,
      invited(ids.smallGroup, africanUnion),
      attended(ids.smallGroup, africanUnion, 'observer', 'absent'),
    ])
      .when({ participantId: 'african-union' })
      .then([
        expect.objectContaining({
          invited: 1,
          attended: 0,
          absent: 1,
          rate: 0,
          meetings: [expect.objectContaining({ invited: true, status: 'absent' })],
        }),
      ]);
  });

  it('lets a later attendance record replace an earlier one for the same meeting', () => {
    given([
      ...week,
      attended(ids.plenary, iraq, 'member', 'present'),
      attended(ids.plenary, iraq, 'member', 'absent'),
      attended(ids.plenary, iraq, 'member', 'present'),
      attended(ids.smallGroup, iraq, 'member', 'present'),
      attended(ids.smallGroup, iraq, 'member', 'absent'),
    ])
      .when({ participantId: 'iraq' })
      .then([
        expect.objectContaining({
          invited: 2,
          attended: 1,
          absent: 1,
          rate: 0.5,
          meetings: [
            expect.objectContaining({ meetingId: ids.plenary, status: 'present' }),
            expect.objectContaining({ meetingId: ids.smallGroup, status: 'absent' }),
          ],
        }),
      ]);
  });

  it('rates attendance as attended over attended and absent, leaving unrecorded meetings out', () => {
    const [germanyAttendance] = given([
      ...week,
      attended(ids.counterFinance, germany, 'member', 'present'),
      attended(ids.plenary, germany, 'member', 'present'),
      attended(ids.smallGroup, germany, 'member', 'absent'),
    ]).answer({ participantId: 'germany' });
    expect(germanyAttendance?.rate).toBeCloseTo(2 / 3);
    expect(given([...week]).answer({ participantId: 'germany' })[0]?.rate).toBeNull();
  });

  it('lists a cancelled meeting in the history but does not count it as invited', () => {
    given([
      plenaryScheduled,
      smallGroupScheduled,
      invited(ids.plenary, nigeria),
      invited(ids.smallGroup, nigeria, 'lake-chad-basin'),
      cancelled(ids.smallGroup, 'Folded into the plenary'),
    ]).then([
      expect.objectContaining({
        participantId: 'nigeria',
        invited: 1,
        meetings: [
          expect.objectContaining({ meetingId: ids.plenary, meetingStatus: 'scheduled' }),
          expect.objectContaining({ meetingId: ids.smallGroup, meetingStatus: 'cancelled', invited: true }),
        ],
      }),
    ]);
  });

  it('lists each meeting with its current status and time, following reschedules and closures', () => {
    const [history] = given([
      ...week,
      attended(ids.plenary, iraq, 'member', 'present'),
      attended(ids.smallGroup, iraq, 'member', 'present'),
      rescheduled(smallGroupScheduled, '2017-07-11T09:00:00.000Z', null),
      closed(ids.plenary),
    ]).answer({ participantId: 'iraq' });
    expect(
      history?.meetings.map(({ meetingId, startsAt, meetingStatus }) => [meetingId, startsAt, meetingStatus]),
    ).toEqual([
      [ids.smallGroup, '2017-07-11T09:00:00.000Z', 'rescheduled'],
      [ids.plenary, '2017-07-12T13:00:00.000Z', 'closed'],
    ]);
  });

  it('counts only the meetings starting at or after from and before to', () => {
    const attendance = given([
      ...week,
      attended(ids.counterFinance, iraq, 'member', 'absent'),
      attended(ids.plenary, iraq, 'member', 'present'),
      attended(ids.smallGroup, iraq, 'member', 'present'),
    ]);
    attendance.when({ participantId: 'iraq', from: '2017-07-12T00:00:00.000Z', to: '2017-07-13T13:00:00.000Z' }).then([
      expect.objectContaining({
        invited: 1,
        attended: 1,
        absent: 0,
        rate: 1,
        meetings: [expect.objectContaining({ meetingId: ids.plenary })],
      }),
    ]);
    attendance
      .when({ participantId: 'iraq', from: '2017-07-13T13:00:00.000Z' })
      .then([
        expect.objectContaining({ invited: 1, meetings: [expect.objectContaining({ meetingId: ids.smallGroup })] }),
      ]);
    attendance
      .when({ participantId: 'iraq', to: '2017-07-11T13:00:00.000Z' })
      .then([expect.objectContaining({ invited: 0, attended: 0, absent: 0, rate: null, meetings: [] })]);
  });

  it('turns an observer later admitted into a member, keeping the history it had as an observer', () => {
    given([
      ...week,
      invited(ids.smallGroup, nigeria, 'lake-chad-basin'),
      attended(ids.smallGroup, nigeria, 'observer', 'present'),
      { type: 'MemberAdmitted', data: { memberId: 'nigeria', name: 'Federal Republic of Nigeria', kind: 'state' } },
      attended(ids.plenary, nigeria, 'member', 'absent'),
    ])
      .when({ participantId: 'nigeria' })
      .then([
        expect.objectContaining({
          name: 'Federal Republic of Nigeria',
          role: 'member',
          invited: 2,
          attended: 1,
          absent: 1,
          meetings: [
            expect.objectContaining({ meetingId: ids.plenary, invited: false, status: 'absent' }),
            expect.objectContaining({ meetingId: ids.smallGroup, invited: true, status: 'present' }),
          ],
        }),
      ]);
  });

  it('answers nobody for a participant it has never heard of', () => {
    given(week).when({ participantId: 'atlantis' }).then([]);
  });
});
