import { describe, expect, it } from 'vitest';
import type { Stage } from '../../src/domain/meeting/events.js';
import { timelineProjection } from '../../src/projections/timeline/timelineProjection.js';
import type { TimelineEntry } from '../../src/projections/timeline/timelineQueries.js';
import { timelineOf } from './wholeAnswers.js';
import {
  ids,
  mosulOnTheVerge,
  outcome,
  plenaryScheduled,
  raqqaOffensive,
  rescheduled,
  smallGroupScheduled,
  stabilizationCommitment,
} from './coalitionEvents.js';
import { projectionSpec } from './projectionSpec.js';

const given = projectionSpec(timelineProjection, timelineOf, {});

let serial = 0;
/** An outcome of the Small Group about `theatre`, dated `occurredOn`. */
const stageOf = (theatre: string, stage: Stage | null, occurredOn: string | null = null) =>
  outcome(ids.smallGroup, {
    outcomeId: `01BKT${String(++serial).padStart(21, '0')}`,
    theatre,
    stage,
    occurredOn,
  });

const rows = (entries: TimelineEntry[]) => entries.map((e) => [e.date, e.theatre, e.stage, e.regression]);

describe('timeline projection', () => {
  it('lists outcomes with a theatre by business date: occurredOn, else the meeting start date', () => {
    given([plenaryScheduled, smallGroupScheduled, raqqaOffensive, mosulOnTheVerge]).then({
      entries: [
        {
          date: '2017-07-05',
          meetingId: ids.smallGroup,
          outcomeId: mosulOnTheVerge.data.outcomeId,
          theatre: 'mosul',
          stage: 'verge-of-liberation',
          kind: 'assessment',
          summary: 'Through Coalition support, Mosul is on the verge of liberation by the Iraqi Security Forces.',
          regression: false,
          corrected: false,
        },
        {
          date: '2017-07-13',
          meetingId: ids.smallGroup,
          outcomeId: raqqaOffensive.data.outcomeId,
          theatre: 'raqqa',
          stage: 'offensive-underway',
          kind: 'assessment',
          summary: 'The Syrian Democratic Forces have taken the fight against ISIS directly to Raqqa.',
          regression: false,
          corrected: false,
        },
      ],
      theatres: [
        { theatre: 'mosul', stage: 'verge-of-liberation', since: '2017-07-05' },
        { theatre: 'raqqa', stage: 'offensive-underway', since: '2017-07-13' },
      ],
    });
  });

  it('leaves out outcomes that name no theatre', () => {
    given([smallGroupScheduled, stabilizationCommitment]).then({ entries: [], theatres: [] });
  });

  it('keeps outcomes on the same date in the order they were recorded', () => {
    const first = stageOf('raqqa', 'contested', '2017-07-13');
    const second = stageOf('raqqa', 'offensive-underway', '2017-07-13');
    const timeline = given([smallGroupScheduled, first, second]).answer({});
    expect(timeline.entries.map((e) => e.outcomeId)).toEqual([first.data.outcomeId, second.data.outcomeId]);
  });

  it('dates an undated outcome by its meeting start, which follows a reschedule', () => {
    const timeline = given([
      smallGroupScheduled,
      raqqaOffensive,
      stageOf('mosul', 'liberated', '2017-07-10'),
      rescheduled(smallGroupScheduled, '2017-07-06T13:00:00.000Z', null),
    ]);
    expect(rows(timeline.answer({}).entries)).toEqual([
      ['2017-07-06', 'raqqa', 'offensive-underway', false],
      ['2017-07-10', 'mosul', 'liberated', false],
    ]);
    expect(timeline.answer({}).theatres).toContainEqual({
      theatre: 'raqqa',
      stage: 'offensive-underway',
      since: '2017-07-06',
    });
  });

  it('flags no regression while a theatre climbs the whole ladder', () => {
    const ladder: Stage[] = ['contested', 'offensive-underway', 'verge-of-liberation', 'liberated', 'stabilization'];
    const climb = ladder.map((stage, day) => stageOf('mosul', stage, `2017-0${day + 3}-01`));
    const timeline = given([smallGroupScheduled, ...climb]).answer({});
    expect(timeline.entries.map((e) => [e.stage, e.regression])).toEqual(ladder.map((stage) => [stage, false]));
    expect(timeline.theatres).toEqual([{ theatre: 'mosul', stage: 'stabilization', since: '2017-07-01' }]);
  });

  it('flags a regression when a theatre moves back down the ladder, and not when it holds', () => {
    const timeline = given([
      smallGroupScheduled,
      stageOf('raqqa', 'offensive-underway', '2017-06-06'),
      stageOf('raqqa', 'offensive-underway', '2017-06-20'),
      stageOf('raqqa', 'contested', '2017-06-25'),
      stageOf('raqqa', 'offensive-underway', '2017-07-01'),
      stageOf('mosul', 'stabilization', '2017-07-02'),
      stageOf('mosul', 'verge-of-liberation', '2017-07-03'),
    ]);
    expect(rows(timeline.answer({}).entries)).toEqual([
      ['2017-06-06', 'raqqa', 'offensive-underway', false],
      ['2017-06-20', 'raqqa', 'offensive-underway', false],
      ['2017-06-25', 'raqqa', 'contested', true],
      ['2017-07-01', 'raqqa', 'offensive-underway', false],
      ['2017-07-02', 'mosul', 'stabilization', false],
      ['2017-07-03', 'mosul', 'verge-of-liberation', true],
    ]);
  });

  it('judges a back-dated outcome recorded later by where it falls in business time', () => {
    const timeline = given([
      smallGroupScheduled,
      mosulOnTheVerge,
      stageOf('mosul', 'liberated', '2017-07-10'),
      stageOf('mosul', 'offensive-underway', '2017-07-08'),
      stageOf('mosul', 'contested', '2017-06-01'),
    ]);
    expect(rows(timeline.answer({}).entries)).toEqual([
      ['2017-06-01', 'mosul', 'contested', false],
      ['2017-07-05', 'mosul', 'verge-of-liberation', false],
      ['2017-07-08', 'mosul', 'offensive-underway', true],
      ['2017-07-10', 'mosul', 'liberated', false],
    ]);
    expect(timeline.answer({}).theatres).toEqual([{ theatre: 'mosul', stage: 'liberated', since: '2017-07-10' }]);
  });

  it('gives each theatre its current stage since the date it first reached it', () => {
    given([
      smallGroupScheduled,
      stageOf('raqqa', 'contested', '2017-05-01'),
      stageOf('raqqa', 'offensive-underway', '2017-06-06'),
      stageOf('raqqa', 'offensive-underway', '2017-07-13'),
      mosulOnTheVerge,
    ])
      .when({})
      .then({
        entries: expect.any(Array),
        theatres: [
          { theatre: 'mosul', stage: 'verge-of-liberation', since: '2017-07-05' },
          { theatre: 'raqqa', stage: 'offensive-underway', since: '2017-06-06' },
        ],
      });
  });

  it('lists an outcome with a theatre but no stage without changing the theatre', () => {
    const timeline = given([smallGroupScheduled, mosulOnTheVerge, stageOf('mosul', null, '2017-07-09')]).answer({});
    expect(rows(timeline.entries)).toEqual([
      ['2017-07-05', 'mosul', 'verge-of-liberation', false],
      ['2017-07-09', 'mosul', null, false],
    ]);
    expect(timeline.theatres).toEqual([{ theatre: 'mosul', stage: 'verge-of-liberation', since: '2017-07-05' }]);
  });

  it('keeps only one theatre when asked', () => {
    given([smallGroupScheduled, mosulOnTheVerge, raqqaOffensive])
      .when({ theatre: 'raqqa' })
      .then({
        entries: [expect.objectContaining({ theatre: 'raqqa' })],
        theatres: [{ theatre: 'raqqa', stage: 'offensive-underway', since: '2017-07-13' }],
      });
  });

  it('keeps entries dated on or after from, still judging regressions against earlier ones', () => {
    const timeline = given([
      smallGroupScheduled,
      mosulOnTheVerge,
      stageOf('mosul', 'offensive-underway', '2017-07-08'),
      stageOf('mosul', 'liberated', '2017-07-10'),
    ]).answer({ from: '2017-07-08' });
    expect(rows(timeline.entries)).toEqual([
      ['2017-07-08', 'mosul', 'offensive-underway', true],
      ['2017-07-10', 'mosul', 'liberated', false],
    ]);
  });

  it('keeps entries dated before to, and gives each theatre the stage it had then', () => {
    const timeline = given([
      smallGroupScheduled,
      mosulOnTheVerge,
      stageOf('mosul', 'liberated', '2017-07-10'),
      raqqaOffensive,
    ]).answer({ to: '2017-07-10' });
    expect(rows(timeline.entries)).toEqual([['2017-07-05', 'mosul', 'verge-of-liberation', false]]);
    expect(timeline.theatres).toEqual([{ theatre: 'mosul', stage: 'verge-of-liberation', since: '2017-07-05' }]);
  });
});
