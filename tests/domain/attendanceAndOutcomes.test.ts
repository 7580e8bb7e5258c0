import { describe, expect, it } from 'vitest';
import { DomainRuleViolation, MeetingNotOpen } from '../../src/domain/errors.js';
import type { MeetingCommand } from '../../src/domain/meeting/commands.js';
import { meetingView } from '../../src/domain/meeting/meetingView.js';
import {
  africanUnionInvited,
  attendance,
  givenMeeting,
  meetingCancelled,
  meetingClosed,
  meetingId,
  meetingRescheduled,
  meetingScheduled,
  mosulOnTheVerge,
  mosulOutcomeId,
  raqqaOutcomeId,
} from './smallGroupMeeting.js';

const attend = (participantId: string, status: 'present' | 'absent', memberAdmitted: boolean): MeetingCommand => ({
  type: 'RecordAttendance',
  meetingId,
  data: { participantId, status, memberAdmitted },
});

type OutcomeData = Extract<MeetingCommand, { type: 'RecordOutcome' }>['data'];
const recordOutcome = (data: OutcomeData): MeetingCommand => ({ type: 'RecordOutcome', meetingId, data });

const raqqaOffensive: OutcomeData = {
  outcomeId: raqqaOutcomeId,
  kind: 'assessment',
  summary: 'The Syrian Democratic Forces have taken the fight against ISIS directly to Raqqa.',
  theatre: 'raqqa',
  stage: 'offensive-underway',
};

describe('RecordAttendance', () => {
  it('records an admitted member as present', () => {
    givenMeeting([meetingScheduled])
      .when(attend('iraq', 'present', true))
      .then([attendance('iraq', 'member', 'present')]);
  });

  it('records an invited observer as present', () => {
    givenMeeting([meetingScheduled, africanUnionInvited])
      .when(attend('african-union', 'present', false))
      .then([attendance('african-union', 'observer', 'present')]);
  });

  it('records an admitted member as absent', () => {
    givenMeeting([meetingScheduled])
      .when(attend('germany', 'absent', true))
      .then([attendance('germany', 'member', 'absent')]);
  });

  it('rejects attendance from an observer who was never invited', () => {
    givenMeeting([meetingScheduled, africanUnionInvited])
      .when(attend('mnjtf', 'present', false))
      .thenThrows(DomainRuleViolation, 'participant-not-eligible');
  });

  it('rejects attendance from a state that is neither admitted nor invited', () => {
    givenMeeting([meetingScheduled])
      .when(attend('niger', 'present', false))
      .thenThrows(DomainRuleViolation, 'participant-not-eligible');
  });

  it('refuses attendance on a cancelled meeting', () => {
    givenMeeting([meetingScheduled, meetingCancelled])
      .when(attend('iraq', 'present', true))
      .thenThrows(MeetingNotOpen, 'meeting-not-open');
  });

  it('accepts attendance recorded after the meeting was closed', () => {
    givenMeeting([meetingScheduled, africanUnionInvited, meetingClosed])
      .when(attend('african-union', 'present', false))
      .then([attendance('african-union', 'observer', 'present')]);
  });

  it('accepts attendance on a meeting that was rescheduled', () => {
    givenMeeting([meetingScheduled, meetingRescheduled])
      .when(attend('iraq', 'present', true))
      .then([attendance('iraq', 'member', 'present')]);
  });

  it('changes nothing when the same status is recorded again', () => {
    givenMeeting([meetingScheduled, attendance('iraq', 'member', 'present')])
      .when(attend('iraq', 'present', true))
      .thenNothingHappens();
  });

  it('records a change of status for a participant already recorded', () => {
    givenMeeting([meetingScheduled, attendance('iraq', 'member', 'absent')])
      .when(attend('iraq', 'present', true))
      .then([attendance('iraq', 'member', 'present')]);
  });

  it('keeps one attendance entry per participant, the latest one', () => {
    const { state } = givenMeeting([
      meetingScheduled,
      africanUnionInvited,
      attendance('iraq', 'member', 'absent'),
      attendance('african-union', 'observer', 'present'),
      attendance('iraq', 'member', 'present'),
    ]);
    expect(state.status).toBe('scheduled');
    if (state.status === 'none') return;
    expect(meetingView(state).attendance).toHaveLength(2);
    expect(meetingView(state).attendance).toEqual(
      expect.arrayContaining([
        { participantId: 'iraq', role: 'member', status: 'present' },
        { participantId: 'african-union', role: 'observer', status: 'present' },
      ]),
    );
  });
});

describe('RecordOutcome', () => {
  it('records that Mosul is on the verge of liberation under the campaign agenda item', () => {
    givenMeeting([meetingScheduled])
      .when(
        recordOutcome({
          outcomeId: mosulOutcomeId,
          agendaItemId: 'campaign-priorities',
          kind: 'assessment',
          summary: mosulOnTheVerge.data.summary,
          theatre: 'mosul',
          stage: 'verge-of-liberation',
          occurredOn: '2017-07-05',
        }),
      )
      .then([mosulOnTheVerge]);
  });

  it('records an outcome without agenda item or date, with nulls for what is absent', () => {
    givenMeeting([meetingScheduled, mosulOnTheVerge])
      .when(recordOutcome(raqqaOffensive))
      .then([
        {
          type: 'OutcomeRecorded',
          data: {
            meetingId,
            outcomeId: raqqaOutcomeId,
            agendaItemId: null,
            kind: 'assessment',
            summary: raqqaOffensive.summary,
            theatre: 'raqqa',
            stage: 'offensive-underway',
            occurredOn: null,
          },
        },
      ]);
  });

  it('records a decision with no theatre and no stage', () => {
    givenMeeting([meetingScheduled])
      .when(recordOutcome({ outcomeId: raqqaOutcomeId, kind: 'decision', summary: 'Intensify stabilization support.' }))
      .then([
        {
          type: 'OutcomeRecorded',
          data: {
            meetingId,
            outcomeId: raqqaOutcomeId,
            agendaItemId: null,
            kind: 'decision',
            summary: 'Intensify stabilization support.',
            theatre: null,
            stage: null,
            occurredOn: null,
          },
        },
      ]);
  });

  it('refuses an outcome under an agenda item the meeting does not have', () => {
    givenMeeting([meetingScheduled])
      .when(recordOutcome({ ...raqqaOffensive, agendaItemId: 'counter-finance' }))
      .thenThrows(DomainRuleViolation, 'agenda-item-not-found');
  });

  it('refuses an outcome id that is already recorded', () => {
    givenMeeting([meetingScheduled, mosulOnTheVerge])
      .when(recordOutcome({ ...raqqaOffensive, outcomeId: mosulOutcomeId }))
      .thenThrows(DomainRuleViolation, 'duplicate-outcome');
  });
});
