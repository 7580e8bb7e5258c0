import { describe, expect, it } from 'vitest';
import type { MeetingEventOf } from '../../src/domain/meeting/events.js';
import { timelineProjection } from '../../src/projections/timeline/timelineProjection.js';
import { TimelineReader } from '../../src/projections/timeline/timelineQueries.js';
import { timelineOf } from './wholeAnswers.js';
import { ids, mosulOnTheVerge, outcome, raqqaOffensive, smallGroupScheduled } from './coalitionEvents.js';
import { projectionSpec } from './projectionSpec.js';

const given = projectionSpec(timelineProjection, timelineOf, {});

const mosulValues = {
  summary: mosulOnTheVerge.data.summary,
  stage: mosulOnTheVerge.data.stage,
  theatre: mosulOnTheVerge.data.theatre,
};

const mosulLiberated: MeetingEventOf<'OutcomeAmended'> = {
  type: 'OutcomeAmended',
  data: {
    meetingId: ids.smallGroup,
    outcomeId: mosulOnTheVerge.data.outcomeId,
    summary: 'Through Coalition support, Mosul has been liberated by the Iraqi Security Forces.',
    stage: 'liberated',
    theatre: 'mosul',
    reason: 'Mosul was declared liberated on 10 July 2017',
    previous: mosulValues,
  },
};

// The Raqqa assessment entered a second time by mistake, then retracted.
const raqqaDuplicate = outcome(ids.smallGroup, {
  outcomeId: '01BKS3Q5G4A2B3C4D5E6F7G8H9',
  theatre: 'raqqa',
  stage: 'offensive-underway',
  summary: raqqaOffensive.data.summary,
});
const duplicateRetracted: MeetingEventOf<'OutcomeRetracted'> = {
  type: 'OutcomeRetracted',
  data: { meetingId: ids.smallGroup, outcomeId: raqqaDuplicate.data.outcomeId, reason: 'Recorded twice' },
};

describe('timeline projection with corrections', () => {
  it('shows the amended values of an outcome, marked corrected, and moves its theatre to the amended stage', () => {
    given([smallGroupScheduled, mosulOnTheVerge, raqqaOffensive, mosulLiberated]).then({
      entries: [
        {
          date: '2017-07-05',
          meetingId: ids.smallGroup,
          outcomeId: mosulOnTheVerge.data.outcomeId,
          theatre: 'mosul',
          stage: 'liberated',
          kind: 'assessment',
          summary: mosulLiberated.data.summary,
          regression: false,
          corrected: true,
        },
        expect.objectContaining({ outcomeId: raqqaOffensive.data.outcomeId, corrected: false }),
      ],
      theatres: [
        { theatre: 'mosul', stage: 'liberated', since: '2017-07-05' },
        { theatre: 'raqqa', stage: 'offensive-underway', since: '2017-07-13' },
      ],
    });
  });

  it('drops a retracted outcome from the entries and from its theatre’s current stage', () => {
    const contested = outcome(ids.smallGroup, {
      outcomeId: '01BKS3Q5G5A2B3C4D5E6F7G8H9',
      theatre: 'raqqa',
      stage: 'contested',
      occurredOn: '2017-07-20',
    });
    given([
      smallGroupScheduled,
      raqqaOffensive,
      raqqaDuplicate,
      contested,
      duplicateRetracted,
      { ...duplicateRetracted, data: { ...duplicateRetracted.data, outcomeId: contested.data.outcomeId } },
    ]).then({
      entries: [expect.objectContaining({ outcomeId: raqqaOffensive.data.outcomeId, regression: false })],
      theatres: [{ theatre: 'raqqa', stage: 'offensive-underway', since: '2017-07-13' }],
    });
  });

  it('keeps a retracted outcome with the history of its corrections', () => {
    const { database } = given([
      smallGroupScheduled,
      mosulOnTheVerge,
      mosulLiberated,
      raqqaDuplicate,
      duplicateRetracted,
    ]);
    const reader = new TimelineReader(database.db);
    const historyOf = (outcomeId: string, at = 5) => reader.corrections(outcomeId, at, 10).corrections;
    expect(reader.outcome(mosulOnTheVerge.data.outcomeId, 5)).toMatchObject({ stage: 'liberated', retracted: false });
    expect(historyOf(mosulOnTheVerge.data.outcomeId)).toEqual([
      { kind: 'amended', reason: mosulLiberated.data.reason, previous: mosulValues, position: 3 },
    ]);
    expect(reader.outcome(raqqaDuplicate.data.outcomeId, 5)).toMatchObject({ retracted: true, corrections: 1 });
    expect(historyOf(raqqaDuplicate.data.outcomeId)).toEqual([
      { kind: 'retracted', reason: 'Recorded twice', position: 5 },
    ]);
    // As of before the retraction, the duplicate stands uncorrected.
    expect(reader.outcome(raqqaDuplicate.data.outcomeId, 4)).toMatchObject({ retracted: false, corrections: 0 });
    expect(historyOf(raqqaDuplicate.data.outcomeId, 4)).toEqual([]);
  });

  it('lists an outcome once an amendment gives it a theatre', () => {
    const displaced = outcome(ids.smallGroup, {
      outcomeId: '01BKS3Q5G3A2B3C4D5E6F7G8H9',
      theatre: null,
      kind: 'commitment',
      summary: 'The Coalition will increase its stabilization efforts to help the displaced return home.',
    });
    const timeline = given([
      smallGroupScheduled,
      displaced,
      {
        type: 'OutcomeAmended',
        data: {
          meetingId: ids.smallGroup,
          outcomeId: displaced.data.outcomeId,
          summary: displaced.data.summary,
          stage: 'stabilization',
          theatre: 'mosul',
          reason: 'The commitment was about Mosul',
          previous: { summary: displaced.data.summary, stage: null, theatre: null },
        },
      },
    ]).answer({});
    expect(timeline.entries.map((e) => [e.theatre, e.stage, e.corrected])).toEqual([['mosul', 'stabilization', true]]);
  });

  it('judges regressions against the amended stages', () => {
    const offensive = outcome(ids.smallGroup, {
      outcomeId: '01BKS3Q5G6A2B3C4D5E6F7G8H9',
      theatre: 'mosul',
      stage: 'offensive-underway',
      occurredOn: '2017-07-08',
    });
    const before = given([smallGroupScheduled, mosulOnTheVerge, offensive]).answer({});
    expect(before.entries.map((e) => e.regression)).toEqual([false, true]);
    const after = given([
      smallGroupScheduled,
      mosulOnTheVerge,
      offensive,
      { ...mosulLiberated, data: { ...mosulLiberated.data, stage: 'contested' } },
    ]).answer({});
    expect(after.entries.map((e) => [e.stage, e.regression])).toEqual([
      ['contested', false],
      ['offensive-underway', false],
    ]);
  });

  it('has a new version, so that saved timelines are rebuilt with the corrections', () => {
    expect(timelineProjection.version).toBeGreaterThan(1);
    expect(timelineProjection.eventTypes).toEqual(expect.arrayContaining(['OutcomeAmended', 'OutcomeRetracted']));
  });
});
