import { describe, expect, it } from 'vitest';
import { commandInputs } from '../../src/domain/meeting/commands.js';
import { DomainRuleViolation, MeetingNotFound, MeetingNotOpen } from '../../src/domain/errors.js';
import type { MeetingCommand } from '../../src/domain/meeting/commands.js';
import type { MeetingEventOf } from '../../src/domain/meeting/events.js';
import { meetingView } from '../../src/domain/meeting/meetingView.js';
import {
  givenMeeting,
  meetingCancelled,
  meetingClosed,
  meetingId,
  meetingScheduled,
  mosulOnTheVerge,
  mosulOutcomeId,
  raqqaOutcomeId,
} from './smallGroupMeeting.js';

// The media note of 5 July 2017 had Mosul on the verge of liberation; it was declared liberated on
// 10 July, before the Small Group met. The secretariat corrects the minutes rather than editing them.

type AmendData = Extract<MeetingCommand, { type: 'AmendOutcome' }>['data'];
const amend = (data: Omit<AmendData, 'outcomeId'>, outcomeId = mosulOutcomeId): MeetingCommand => ({
  type: 'AmendOutcome',
  meetingId,
  data: { outcomeId, ...data },
});
const retract = (reason: string, outcomeId = mosulOutcomeId): MeetingCommand => ({
  type: 'RetractOutcome',
  meetingId,
  data: { outcomeId, reason },
});

const liberatedReason = 'Mosul was declared liberated on 10 July 2017';
const mosulValues = {
  summary: mosulOnTheVerge.data.summary,
  stage: mosulOnTheVerge.data.stage,
  theatre: mosulOnTheVerge.data.theatre,
};

const mosulLiberated: MeetingEventOf<'OutcomeAmended'> = {
  type: 'OutcomeAmended',
  data: {
    meetingId,
    outcomeId: mosulOutcomeId,
    summary: mosulOnTheVerge.data.summary,
    stage: 'liberated',
    theatre: 'mosul',
    reason: liberatedReason,
    previous: mosulValues,
  },
};

const raqqaTwice: MeetingEventOf<'OutcomeRecorded'> = {
  type: 'OutcomeRecorded',
  data: {
    meetingId,
    outcomeId: raqqaOutcomeId,
    agendaItemId: null,
    kind: 'assessment',
    summary: 'The Syrian Democratic Forces have taken the fight against ISIS directly to Raqqa.',
    theatre: 'raqqa',
    stage: 'offensive-underway',
    occurredOn: null,
  },
};

const raqqaRetracted: MeetingEventOf<'OutcomeRetracted'> = {
  type: 'OutcomeRetracted',
  data: { meetingId, outcomeId: raqqaOutcomeId, reason: 'Recorded twice' },
};

const noTheatre: MeetingEventOf<'OutcomeRecorded'> = {
  type: 'OutcomeRecorded',
  data: { ...raqqaTwice.data, summary: 'Stabilization efforts will increase', theatre: null, stage: null },
};

describe('AmendOutcome', () => {
  it('amends the stage of an outcome, recording the values it replaced', () => {
    givenMeeting([meetingScheduled, mosulOnTheVerge])
      .when(amend({ stage: 'liberated', reason: liberatedReason }))
      .then([mosulLiberated]);
  });

  it('amends the summary and theatre together, keeping the stage', () => {
    const summary = 'Through Coalition support, Mosul has been liberated by the Iraqi Security Forces.';
    givenMeeting([meetingScheduled, mosulOnTheVerge])
      .when(amend({ summary, theatre: 'nineveh', reason: 'The theatre is the province' }))
      .then([
        {
          type: 'OutcomeAmended',
          data: {
            meetingId,
            outcomeId: mosulOutcomeId,
            summary,
            stage: 'verge-of-liberation',
            theatre: 'nineveh',
            reason: 'The theatre is the province',
            previous: mosulValues,
          },
        },
      ]);
  });

  it('amends an outcome of a closed meeting, because minutes are corrected after the meeting', () => {
    givenMeeting([meetingScheduled, mosulOnTheVerge, meetingClosed])
      .when(amend({ stage: 'liberated', reason: liberatedReason }))
      .then([mosulLiberated]);
  });

  it('records the values of the last amendment as the previous ones of the next', () => {
    givenMeeting([meetingScheduled, mosulOnTheVerge, mosulLiberated])
      .when(amend({ stage: 'stabilization', reason: 'Stabilization has begun' }))
      .then([
        {
          type: 'OutcomeAmended',
          data: {
            ...mosulLiberated.data,
            stage: 'stabilization',
            reason: 'Stabilization has begun',
            previous: { ...mosulValues, stage: 'liberated' },
          },
        },
      ]);
  });

  it('changes nothing when the amendment gives the values the outcome already has', () => {
    givenMeeting([meetingScheduled, mosulOnTheVerge, mosulLiberated])
      .when(amend({ stage: 'liberated', theatre: 'mosul', reason: liberatedReason }))
      .thenNothingHappens();
  });

  it('refuses to amend an outcome the meeting never recorded', () => {
    givenMeeting([meetingScheduled, mosulOnTheVerge])
      .when(amend({ stage: 'liberated', reason: liberatedReason }, raqqaOutcomeId))
      .thenThrows(DomainRuleViolation, 'outcome-not-found');
  });

  it('refuses to amend a retracted outcome', () => {
    givenMeeting([meetingScheduled, raqqaTwice, raqqaRetracted])
      .when(amend({ stage: 'contested', reason: 'A second look' }, raqqaOutcomeId))
      .thenThrows(DomainRuleViolation, 'outcome-retracted');
  });

  it('refuses to give a stage to an outcome that names no theatre', () => {
    givenMeeting([meetingScheduled, noTheatre])
      .when(amend({ stage: 'liberated', reason: 'A stage without a place' }, raqqaOutcomeId))
      .thenThrows(DomainRuleViolation, 'stage-needs-theatre');
  });

  it('gives a stage to an outcome that names no theatre when the amendment names one too', () => {
    givenMeeting([meetingScheduled, noTheatre])
      .when(
        amend({ stage: 'stabilization', theatre: 'mosul', reason: 'The commitment is about Mosul' }, raqqaOutcomeId),
      )
      .then([
        {
          type: 'OutcomeAmended',
          data: {
            meetingId,
            outcomeId: raqqaOutcomeId,
            summary: noTheatre.data.summary,
            stage: 'stabilization',
            theatre: 'mosul',
            reason: 'The commitment is about Mosul',
            previous: { summary: noTheatre.data.summary, stage: null, theatre: null },
          },
        },
      ]);
  });

  it('refuses to amend an outcome of a cancelled meeting', () => {
    givenMeeting([meetingScheduled, mosulOnTheVerge, meetingCancelled])
      .when(amend({ stage: 'liberated', reason: liberatedReason }))
      .thenThrows(MeetingNotOpen, 'meeting-not-open');
  });

  it('refuses to amend an outcome of a meeting never scheduled', () => {
    givenMeeting([])
      .when(amend({ stage: 'liberated', reason: liberatedReason }))
      .thenThrows(MeetingNotFound, 'meeting-not-found');
  });
});

describe('RetractOutcome', () => {
  it('retracts an outcome, giving the reason', () => {
    givenMeeting([meetingScheduled, mosulOnTheVerge, raqqaTwice])
      .when(retract('Recorded twice', raqqaOutcomeId))
      .then([raqqaRetracted]);
  });

  it('retracts an outcome of a closed meeting', () => {
    givenMeeting([meetingScheduled, raqqaTwice, meetingClosed])
      .when(retract('Recorded twice', raqqaOutcomeId))
      .then([raqqaRetracted]);
  });

  it('retracts an amended outcome', () => {
    givenMeeting([meetingScheduled, mosulOnTheVerge, mosulLiberated])
      .when(retract('Withdrawn pending confirmation'))
      .then([
        {
          type: 'OutcomeRetracted',
          data: { meetingId, outcomeId: mosulOutcomeId, reason: 'Withdrawn pending confirmation' },
        },
      ]);
  });

  it('refuses to retract an outcome the meeting never recorded', () => {
    givenMeeting([meetingScheduled, mosulOnTheVerge])
      .when(retract('Recorded twice', raqqaOutcomeId))
      .thenThrows(DomainRuleViolation, 'outcome-not-found');
  });

  it('refuses to retract an outcome a second time', () => {
    givenMeeting([meetingScheduled, raqqaTwice, raqqaRetracted])
      .when(retract('Recorded twice', raqqaOutcomeId))
      .thenThrows(DomainRuleViolation, 'outcome-retracted');
  });

  it('refuses to retract an outcome of a cancelled meeting', () => {
    givenMeeting([meetingScheduled, raqqaTwice, meetingCancelled])
      .when(retract('Recorded twice', raqqaOutcomeId))
      .thenThrows(MeetingNotOpen, 'meeting-not-open');
  });
});

describe('a corrected outcome in the meeting state', () => {
  it('shows the current values, standing, with the history of amendments', () => {
    const { state } = givenMeeting([meetingScheduled, mosulOnTheVerge, mosulLiberated]);
    const { meetingId: _meetingId, ...recorded } = mosulOnTheVerge.data;
    expect(state.status !== 'none' && meetingView(state).outcomes).toEqual([
      {
        ...recorded,
        stage: 'liberated',
        status: 'standing',
        corrections: 1,
        history: [{ kind: 'amended', reason: liberatedReason, previous: mosulValues }],
      },
    ]);
  });

  it('keeps a retracted outcome, marked retracted, with its history', () => {
    const { state } = givenMeeting([meetingScheduled, mosulOnTheVerge, raqqaTwice, raqqaRetracted]);
    const outcomes = state.status === 'none' ? [] : meetingView(state).outcomes;
    expect(outcomes.map((o) => [o.outcomeId, o.status, o.history])).toEqual([
      [mosulOutcomeId, 'standing', []],
      [raqqaOutcomeId, 'retracted', [{ kind: 'retracted', reason: 'Recorded twice' }]],
    ]);
  });
});

describe('the correction inputs', () => {
  it('takes an amendment of one or more values with a reason', () => {
    expect(commandInputs.AmendOutcome.safeParse({ stage: 'liberated', reason: liberatedReason }).success).toBe(true);
  });

  it.each([
    ['no value to change', { reason: liberatedReason }],
    ['no reason', { stage: 'liberated' }],
    ['a blank reason', { stage: 'liberated', reason: '   ' }],
    ['a stage off the ladder', { stage: 'won', reason: liberatedReason }],
    ['a theatre that is not a slug', { theatre: 'Mosul City', reason: liberatedReason }],
    ['a field it does not know', { stage: 'liberated', reason: liberatedReason, kind: 'decision' }],
    ['an outcome id in the body', { stage: 'liberated', reason: liberatedReason, outcomeId: mosulOutcomeId }],
  ])('refuses an amendment with %s', (_name, body) => {
    expect(commandInputs.AmendOutcome.safeParse(body).success).toBe(false);
  });

  it('takes a retraction with a reason and nothing else', () => {
    expect(commandInputs.RetractOutcome.safeParse({ reason: 'Recorded twice' }).success).toBe(true);
    expect(commandInputs.RetractOutcome.safeParse({}).success).toBe(false);
    expect(commandInputs.RetractOutcome.safeParse({ reason: 'Recorded twice', summary: 'x' }).success).toBe(false);
  });
});
