import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectJson, expectProblem, outcomes, post, schedule, watchLog } from './fixtures.js';
import { startTestApp, type TestApp } from './testApp.js';

type Accepted = { meetingId: string; outcomeId: string; revision: number; position: number; events: string[] };
type Outcome = { outcomeId: string; summary: string; stage: string | null; status: string; history: unknown[] };
type StoredEvent = { type: string; data: Record<string, unknown> };

// The media note of 5 July 2017 had Mosul on the verge of liberation; by the Small Group of 13 July it
// was liberated. The secretariat corrects the minutes with new events; the original stays in the log.
const liberated = { stage: 'liberated', reason: 'Mosul was declared liberated on 10 July 2017' };

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

const record = async (meetingId: string, body: object = outcomes.mosul): Promise<string> => {
  const res = await post(t, `/v1/meetings/${meetingId}/outcomes`, body);
  return expectJson<Accepted>(res, 200).outcomeId;
};
const correct = (meetingId: string, outcomeId: string, action: 'amend' | 'retract', body: object) =>
  post(t, `/v1/meetings/${meetingId}/outcomes/${outcomeId}/${action}`, body);
const outcomesOf = async (meetingId: string) =>
  expectJson<{ outcomes: Outcome[] }>(await t.as('auditor', { method: 'GET', url: `/v1/meetings/${meetingId}` }), 200)
    .outcomes;
const eventsOf = async (meetingId: string) =>
  expectJson<{ events: StoredEvent[] }>(
    await t.as('auditor', { method: 'GET', url: `/v1/meetings/${meetingId}/events` }),
    200,
  ).events;

describe('POST /v1/meetings/{id}/outcomes/{outcomeId}/amend', () => {
  it('amends an outcome with a new event; the meeting shows the current value and the history', async () => {
    const meetingId = await schedule(t);
    const outcomeId = await record(meetingId);
    const log = await watchLog(t);
    const res = await correct(meetingId, outcomeId, 'amend', liberated);
    const body = expectJson<Accepted>(res, 200);
    expect(body).toEqual({
      meetingId,
      outcomeId,
      revision: 2,
      position: expect.any(Number),
      events: ['OutcomeAmended'],
    });
    expect(res.headers.etag).toBe('"2"');
    expect((await log.appended()).map((e) => [e.type, e.data])).toEqual([
      [
        'OutcomeAmended',
        {
          meetingId,
          outcomeId,
          summary: outcomes.mosul.summary,
          stage: 'liberated',
          theatre: 'mosul',
          reason: liberated.reason,
          previous: { summary: outcomes.mosul.summary, stage: 'verge-of-liberation', theatre: 'mosul' },
        },
      ],
    ]);
    expect(await outcomesOf(meetingId)).toEqual([
      {
        outcomeId,
        ...outcomes.mosul,
        stage: 'liberated',
        status: 'standing',
        corrections: 1,
        history: [
          {
            kind: 'amended',
            reason: liberated.reason,
            previous: { summary: outcomes.mosul.summary, stage: 'verge-of-liberation', theatre: 'mosul' },
          },
        ],
      },
    ]);
  });

  it('leaves the original OutcomeRecorded in the meeting’s events unchanged', async () => {
    const meetingId = await schedule(t);
    const outcomeId = await record(meetingId);
    const before = await eventsOf(meetingId);
    await correct(meetingId, outcomeId, 'amend', liberated);
    const after = await eventsOf(meetingId);
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.map((e) => e.type)).toEqual(['MeetingScheduled', 'OutcomeRecorded', 'OutcomeAmended']);
    expect(after[1]?.data).toEqual({
      meetingId,
      outcomeId,
      ...outcomes.mosul,
      agendaItemId: 'mosul-and-raqqa',
      stage: 'verge-of-liberation',
    });
  });

  it('amends an outcome of a closed meeting', async () => {
    const meetingId = await schedule(t);
    const outcomeId = await record(meetingId);
    await post(t, `/v1/meetings/${meetingId}/close`, {});
    const res = await correct(meetingId, outcomeId, 'amend', liberated);
    expect(expectJson<Accepted>(res, 200).events).toEqual(['OutcomeAmended']);
  });

  it('shows the amended stage on the timeline, marked corrected', async () => {
    const meetingId = await schedule(t);
    const outcomeId = await record(meetingId);
    const { position } = expectJson<Accepted>(await correct(meetingId, outcomeId, 'amend', liberated), 200);
    const res = await t.as('reporter', { method: 'GET', url: `/v1/timeline?theatre=mosul&minPosition=${position}` });
    const timeline = expectJson<{ entries: { outcomeId: string; stage: string; corrected: boolean }[] }>(res, 200);
    expect(timeline.entries.find((e) => e.outcomeId === outcomeId)).toMatchObject({
      stage: 'liberated',
      corrected: true,
    });
  });

  it('shows the latest ten corrections of an outcome amended twelve times, oldest first, and counts all twelve', async () => {
    const meetingId = await schedule(t);
    const outcomeId = await record(meetingId);
    for (let n = 1; n <= 12; n++) {
      expectJson(
        await correct(meetingId, outcomeId, 'amend', { summary: `Reading ${n}`, reason: `Correction ${n}` }),
        200,
      );
    }
    const [outcome] = (await outcomesOf(meetingId)) as (Outcome & { corrections: number })[];
    expect(outcome).toMatchObject({ summary: 'Reading 12', status: 'standing', corrections: 12 });
    expect(outcome?.history).toHaveLength(10);
    expect(outcome?.history[0]).toEqual({
      kind: 'amended',
      reason: 'Correction 3',
      previous: { summary: 'Reading 2', stage: 'verge-of-liberation', theatre: 'mosul' },
    });
    expect((await eventsOf(meetingId)).filter((e) => e.type === 'OutcomeAmended')).toHaveLength(12);
  });

  it('answers 200 with no events when the amendment changes nothing', async () => {
    const meetingId = await schedule(t);
    const outcomeId = await record(meetingId);
    const log = await watchLog(t);
    const res = await correct(meetingId, outcomeId, 'amend', { stage: 'verge-of-liberation', reason: 'Checked' });
    expect(expectJson<Accepted>(res, 200)).toMatchObject({ meetingId, outcomeId, revision: 1, events: [] });
    await log.expectUnchanged();
  });
});

describe('POST /v1/meetings/{id}/outcomes/{outcomeId}/retract', () => {
  it('retracts a duplicate Raqqa entry; the meeting keeps it, marked retracted, and the timeline drops it', async () => {
    const meetingId = await schedule(t);
    const original = await record(meetingId, outcomes.raqqa);
    const duplicate = await record(meetingId, outcomes.raqqa);
    const log = await watchLog(t);
    const res = await correct(meetingId, duplicate, 'retract', { reason: 'Recorded twice' });
    const body = expectJson<Accepted>(res, 200);
    expect(body).toMatchObject({ meetingId, outcomeId: duplicate, revision: 3, events: ['OutcomeRetracted'] });
    expect((await log.appended()).map((e) => [e.type, e.data])).toEqual([
      ['OutcomeRetracted', { meetingId, outcomeId: duplicate, reason: 'Recorded twice' }],
    ]);
    expect((await outcomesOf(meetingId)).map((o) => [o.outcomeId, o.status, o.history])).toEqual([
      [original, 'standing', []],
      [duplicate, 'retracted', [{ kind: 'retracted', reason: 'Recorded twice' }]],
    ]);
    const timeline = expectJson<{ entries: { outcomeId: string }[] }>(
      await t.as('reporter', { method: 'GET', url: `/v1/timeline?theatre=raqqa&minPosition=${body.position}` }),
      200,
    );
    const listed = timeline.entries.map((e) => e.outcomeId);
    expect(listed).toContain(original);
    expect(listed).not.toContain(duplicate);
  });
});

describe('corrections refused', () => {
  const unknownOutcome = '01BKS3Q5G9A2B3C4D5E6F7G8H9';

  it.each([
    ['amend', liberated],
    ['retract', { reason: 'Recorded twice' }],
  ] as const)('answers 422 outcome-not-found to %s an outcome the meeting never recorded', async (action, body) => {
    const meetingId = await schedule(t);
    await record(meetingId);
    const log = await watchLog(t);
    expectProblem(await correct(meetingId, unknownOutcome, action, body), 422, 'outcome-not-found');
    await log.expectUnchanged();
  });

  it.each([
    ['amend', liberated],
    ['retract', { reason: 'Recorded twice' }],
  ] as const)('answers 422 outcome-retracted to %s a retracted outcome', async (action, body) => {
    const meetingId = await schedule(t);
    const outcomeId = await record(meetingId);
    await correct(meetingId, outcomeId, 'retract', { reason: 'Recorded twice' });
    const log = await watchLog(t);
    expectProblem(await correct(meetingId, outcomeId, action, body), 422, 'outcome-retracted');
    await log.expectUnchanged();
  });

  it('answers 422 meeting-not-open to a correction on a cancelled meeting', async () => {
    const meetingId = await schedule(t);
    const outcomeId = await record(meetingId);
    await post(t, `/v1/meetings/${meetingId}/cancel`, { reason: 'Folded into the plenary' });
    const log = await watchLog(t);
    expectProblem(await correct(meetingId, outcomeId, 'amend', liberated), 422, 'meeting-not-open');
    expectProblem(await correct(meetingId, outcomeId, 'retract', { reason: 'x' }), 422, 'meeting-not-open');
    await log.expectUnchanged();
  });

  it('answers 422 stage-needs-theatre to a stage for an outcome with no theatre', async () => {
    const meetingId = await schedule(t);
    const outcomeId = await record(meetingId, { kind: 'commitment', summary: 'Help the displaced return home' });
    const log = await watchLog(t);
    expectProblem(await correct(meetingId, outcomeId, 'amend', liberated), 422, 'stage-needs-theatre');
    await log.expectUnchanged();
  });

  it.each([
    ['no value to change', { reason: 'Checked' }],
    ['no reason', { stage: 'liberated' }],
    ['a stage off the ladder', { stage: 'won', reason: 'Checked' }],
    ['an unknown field', { ...liberated, kind: 'decision' }],
  ])('answers 400 to an amendment with %s and appends nothing', async (_name, body) => {
    const meetingId = await schedule(t);
    const outcomeId = await record(meetingId);
    const log = await watchLog(t);
    const res = await correct(meetingId, outcomeId, 'amend', body);
    expect(res.statusCode, res.body).toBe(400);
    await log.expectUnchanged();
  });

  it('answers 400 to an outcome id that is not a ULID and appends nothing', async () => {
    const meetingId = await schedule(t);
    const log = await watchLog(t);
    const res = await correct(meetingId, 'not-a-ulid', 'retract', { reason: 'Recorded twice' });
    expect(res.statusCode, res.body).toBe(400);
    await log.expectUnchanged();
  });

  it('answers 404 to a correction on a meeting that does not exist', async () => {
    const log = await watchLog(t);
    expectProblem(
      await correct('01BX5ZZKBKACTAV9WEVGEMMVRZ', '01BKS3Q5G9A2B3C4D5E6F7G8H9', 'retract', { reason: 'x' }),
      404,
      'meeting-not-found',
    );
    await log.expectUnchanged();
  });

  it('answers 403 to the auditor and appends nothing', async () => {
    const meetingId = await schedule(t);
    const outcomeId = await record(meetingId);
    const log = await watchLog(t);
    const res = await t.as('auditor', {
      method: 'POST',
      url: `/v1/meetings/${meetingId}/outcomes/${outcomeId}/retract`,
      payload: { reason: 'Recorded twice' },
    });
    expectProblem(res, 403, 'forbidden');
    await log.expectUnchanged();
  });
});
