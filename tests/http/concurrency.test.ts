import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectJson, expectProblem, observers, post, schedule, smallGroup, watchLog } from './fixtures.js';
import { startTestApp, type TestApp } from './testApp.js';

type Accepted = { revision: number; position: number; events: string[] };

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

const agendaItem = (i: number) => ({ itemId: `working-group-${i}`, title: `Report of working group ${i}` });

/** Sends `count` distinct agenda items to one meeting at once, with no If-Match. */
const burst = async (meetingId: string, count: number) => {
  const responses = await Promise.all(
    Array.from({ length: count }, (_, i) => post(t, `/v1/meetings/${meetingId}/agenda-items`, agendaItem(i))),
  );
  const revisions = (await t.ledger.store.readStream(`meeting-${meetingId}`)).map((e) => e.revision);
  return { responses, revisions };
};

describe('If-Match', () => {
  it('accepts a command whose If-Match names the current revision, and answers the next ETag', async () => {
    const meetingId = await schedule(t, smallGroup);
    const res = await post(t, `/v1/meetings/${meetingId}/agenda-items`, agendaItem(1), { 'if-match': '"0"' });
    expect(expectJson<Accepted>(res, 200)).toMatchObject({ revision: 1, events: ['AgendaItemAdded'] });
    expect(res.headers.etag).toBe('"1"');
    expect(
      expectJson<Accepted>(
        await post(t, `/v1/meetings/${meetingId}/close`, {}, { 'if-match': res.headers.etag ?? '' }),
        200,
      ).revision,
    ).toBe(2);
  });

  it('answers 412 with the current revision to a stale If-Match, appending nothing', async () => {
    const meetingId = await schedule(t, smallGroup);
    await post(t, `/v1/meetings/${meetingId}/agenda-items`, agendaItem(1));
    const log = await watchLog(t);
    const res = await post(t, `/v1/meetings/${meetingId}/cancel`, { reason: 'Postponed' }, { 'if-match': '"0"' });
    expect(expectProblem(res, 412, 'precondition-failed')).toMatchObject({ currentRevision: 1 });
    await log.expectUnchanged();
  });

  it('answers 412 to an If-Match naming a revision the meeting has not reached', async () => {
    const meetingId = await schedule(t, smallGroup);
    const log = await watchLog(t);
    const res = await post(t, `/v1/meetings/${meetingId}/close`, {}, { 'if-match': '"7"' });
    expect(expectProblem(res, 412, 'precondition-failed')).toMatchObject({ currentRevision: 0 });
    await log.expectUnchanged();
  });

  it('lets exactly one of ten concurrent commands with the same If-Match through and answers 412 to the rest', async () => {
    const meetingId = await schedule(t, smallGroup);
    const log = await watchLog(t);
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        post(t, `/v1/meetings/${meetingId}/agenda-items`, agendaItem(i), { 'if-match': '"0"' }),
      ),
    );
    expect(responses.filter((r) => r.statusCode === 200)).toHaveLength(1);
    for (const refused of responses.filter((r) => r.statusCode !== 200)) {
      expect(expectProblem(refused, 412, 'precondition-failed')).toMatchObject({ currentRevision: 1 });
    }
    expect((await log.appended()).map((e) => e.revision)).toEqual([1]);
  });
});

describe('commands without If-Match', () => {
  it('retries a few concurrent distinct commands on fresh state until all succeed with dense revisions', async () => {
    const meetingId = await schedule(t, smallGroup);
    const { responses, revisions } = await burst(meetingId, 4);
    expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 200, 200]);
    expect(responses.map((r) => expectJson<Accepted>(r, 200).revision).sort((a, b) => a - b)).toEqual([1, 2, 3, 4]);
    expect(revisions).toEqual([0, 1, 2, 3, 4]);
  });

  // Bug: CommandHandler retries a lost race at most MAX_ATTEMPTS = 5 times
  // (src/application/commandHandler.ts:31, 78). The group commit puts all concurrent appends to one
  // stream in one batch, where only one can win, so n concurrent writers need n attempts: of 20, only
  // 5 succeed and 15 get 409 concurrency-conflict.
  it('accepts twenty concurrent distinct commands on one meeting, with revisions dense from 0 to 20', async () => {
    const meetingId = await schedule(t, smallGroup);
    const { responses, revisions } = await burst(meetingId, 20);
    expect(responses.map((r) => r.statusCode)).toEqual(Array.from({ length: 20 }, () => 200));
    expect(revisions).toEqual(Array.from({ length: 21 }, (_, i) => i));
  });

  it('keeps revisions dense and answers every lost race with a 409 problem, never a 5xx, under twenty concurrent commands', async () => {
    const meetingId = await schedule(t, smallGroup);
    const { responses, revisions } = await burst(meetingId, 20);
    const accepted = responses.filter((r) => r.statusCode === 200);
    for (const refused of responses.filter((r) => r.statusCode !== 200))
      expectProblem(refused, 409, 'concurrency-conflict');
    expect(revisions).toEqual(Array.from({ length: accepted.length + 1 }, (_, i) => i));
    expect(accepted.map((r) => expectJson<Accepted>(r, 200).revision).sort((a, b) => a - b)).toEqual(
      revisions.slice(1),
    );
  });
});

describe('many writers on one meeting at once', () => {
  it('invites an observer once when twenty identical invitations arrive together, answering all of them', async () => {
    const meetingId = await schedule(t, smallGroup);
    const log = await watchLog(t);
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => post(t, `/v1/meetings/${meetingId}/observers`, observers.africanUnion)),
    );
    expect(responses.map((r) => r.statusCode)).toEqual(responses.map(() => 200));
    const appended = await log.appended();
    expect(appended.map((e) => e.type)).toEqual(['ObserverInvited']);
    expect(responses.filter((r) => expectJson<Accepted>(r, 200).events.length === 1)).toHaveLength(1);
    const meeting = expectJson<{ observers: unknown[] }>(
      await t.as('auditor', { method: 'GET', url: `/v1/meetings/${meetingId}` }),
      200,
    );
    expect(meeting.observers).toHaveLength(1);
  });

  it('keeps one attendance state per participant under concurrent, contradicting reports, the last one recorded', async () => {
    const meetingId = await schedule(t, smallGroup);
    await post(t, `/v1/meetings/${meetingId}/observers`, observers.africanUnion);
    const log = await watchLog(t);
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        post(t, `/v1/meetings/${meetingId}/attendance`, {
          participantId: observers.africanUnion.observerId,
          status: i % 2 === 0 ? 'present' : 'absent',
        }),
      ),
    );
    expect(responses.filter((r) => r.statusCode >= 500)).toEqual([]);
    const appended = await log.appended();
    const meeting = expectJson<{ attendance: { participantId: string; status: string }[]; revision: number }>(
      await t.as('auditor', { method: 'GET', url: `/v1/meetings/${meetingId}` }),
      200,
    );
    const recorded = meeting.attendance.filter((a) => a.participantId === observers.africanUnion.observerId);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]!.status).toBe((appended.at(-1)!.data as { status: string }).status);
    const revisions = (await t.ledger.store.readStream(`meeting-${meetingId}`)).map((e) => e.revision);
    expect(revisions).toEqual(revisions.map((_, i) => i));
    expect(meeting.revision).toBe(revisions.at(-1));
  });

  it('answers a mixed crowd (identical, distinct and stale If-Match commands) with no 5xx, and every 412 with the current revision', async () => {
    const meetingId = await schedule(t, smallGroup);
    const url = `/v1/meetings/${meetingId}`;
    const responses = await Promise.all(
      Array.from({ length: 45 }, (_, i) => {
        if (i % 3 === 0) return post(t, `${url}/observers`, observers.africanUnion);
        if (i % 3 === 1) return post(t, `${url}/agenda-items`, agendaItem(i));
        return post(t, `${url}/outcomes`, { kind: 'decision', summary: `Decision ${i}` }, { 'if-match': '"0"' });
      }),
    );
    expect(responses.filter((r) => r.statusCode >= 500)).toEqual([]);
    const final = (await t.ledger.store.readStream(`meeting-${meetingId}`)).length - 1;
    for (const refused of responses.filter((r) => r.statusCode === 412)) {
      const { currentRevision } = expectProblem(refused, 412, 'precondition-failed') as { currentRevision: number };
      expect(currentRevision).toBeGreaterThan(0);
      expect(currentRevision).toBeLessThanOrEqual(final);
    }
    const events = await t.ledger.store.readStream(`meeting-${meetingId}`);
    expect(events.map((e) => e.revision)).toEqual(events.map((_, i) => i));
    expect(events.filter((e) => e.type === 'ObserverInvited')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'OutcomeRecorded').length).toBeLessThanOrEqual(1);
  });
});
