import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, post, schedule, smallGroup } from './fixtures.js';
import { startTestApp, type TestApp } from './testApp.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ LEDGER_LIMITS: 'summary=40,agendaItemsPerMeeting=3,observersPerMeeting=1,pageSize=5' });
});
afterAll(async () => {
  await t.close();
});

describe('limits set in LEDGER_LIMITS', () => {
  it('refuses a string longer than its configured limit with 400, appending nothing', async () => {
    const meetingId = await schedule(t, smallGroup);
    const before = await t.eventCount();
    const summary = 'Mosul: the campaign is on the verge of success, said the plenary.';
    expectProblem(
      await post(t, `/v1/meetings/${meetingId}/outcomes`, { kind: 'assessment', summary }),
      400,
      'invalid-request',
    );
    expect(await t.eventCount()).toBe(before);
    expect(
      (await post(t, `/v1/meetings/${meetingId}/outcomes`, { kind: 'decision', summary: 'Adopted.' })).statusCode,
    ).toBe(200);
  });

  it('refuses the agenda item past the configured count per meeting with 422, appending nothing', async () => {
    const meetingId = await schedule(t, { ...smallGroup, agenda: [{ itemId: 'raqqa', title: 'Raqqa' }] });
    for (const itemId of ['mosul', 'lake-chad-basin']) {
      expect((await post(t, `/v1/meetings/${meetingId}/agenda-items`, { itemId, title: itemId })).statusCode).toBe(200);
    }
    const before = await t.eventCount();
    const refused = await post(t, `/v1/meetings/${meetingId}/agenda-items`, { itemId: 'tal-afar', title: 'Tal Afar' });
    expectProblem(refused, 422, 'agenda-item-limit');
    expect(refused.json()).toMatchObject({ limit: 3, setting: 'agendaItemsPerMeeting' });
    expect(await t.eventCount()).toBe(before);
  });

  it('lets an observer already invited be invited again at the limit, and refuses a new one', async () => {
    const meetingId = await schedule(t, smallGroup);
    const au = { observerId: 'african-union', name: 'African Union', kind: 'organization' };
    expect((await post(t, `/v1/meetings/${meetingId}/observers`, au)).statusCode).toBe(200);
    expect((await post(t, `/v1/meetings/${meetingId}/observers`, au)).json()).toMatchObject({ events: [] });
    const jtf = { observerId: 'multinational-joint-task-force', name: 'MNJTF', kind: 'organization' };
    expectProblem(await post(t, `/v1/meetings/${meetingId}/observers`, jtf), 422, 'observer-limit');
  });

  it('pages the event feed by the configured page size at most', async () => {
    for (let i = 0; i < 6; i += 1) await schedule(t, smallGroup);
    const page = await t.as('auditor', { method: 'GET', url: '/v1/events?after=0' });
    const body = page.json<{ events: unknown[]; next: number | null }>();
    expect(body.events).toHaveLength(5);
    expect(body.next).not.toBeNull();
    expectProblem(await t.as('auditor', { method: 'GET', url: '/v1/events?after=0&limit=6' }), 400, 'invalid-request');
  });
});

describe('the events of one meeting', () => {
  it('come a page at a time, with the revision to ask for next', async () => {
    const meetingId = await schedule(t, smallGroup);
    for (let i = 0; i < 6; i += 1) {
      await post(t, `/v1/meetings/${meetingId}/outcomes`, { kind: 'decision', summary: `Decision ${i}` });
    }
    const first = await t.as('auditor', { method: 'GET', url: `/v1/meetings/${meetingId}/events` });
    const page = first.json<{ events: { revision: number }[]; next: number | null }>();
    expect(page.events.map((e) => e.revision)).toEqual([0, 1, 2, 3, 4]);
    expect(page.next).toBe(5);
    const rest = await t.as('auditor', { method: 'GET', url: `/v1/meetings/${meetingId}/events?fromRevision=5` });
    expect(rest.json<{ events: { revision: number }[]; next: number | null }>()).toMatchObject({ next: null });
    expect(rest.json<{ events: { revision: number }[] }>().events.map((e) => e.revision)).toEqual([5, 6]);
  });
});

describe('the length of one stream', () => {
  it('refuses a command that would take a meeting past eventsPerStream with 422, appending nothing', async () => {
    const small = await startTestApp({ LEDGER_LIMITS: 'eventsPerStream=3' });
    try {
      const meetingId = await schedule(small, smallGroup);
      for (let i = 0; i < 2; i += 1) {
        expect(
          (await post(small, `/v1/meetings/${meetingId}/outcomes`, { kind: 'decision', summary: `D${i}` })).statusCode,
        ).toBe(200);
      }
      const before = await small.eventCount();
      const refused = await post(small, `/v1/meetings/${meetingId}/outcomes`, { kind: 'decision', summary: 'D3' });
      expectProblem(refused, 422, 'stream-limit');
      expect(refused.json()).toMatchObject({ limit: 3, setting: 'eventsPerStream' });
      expect(await small.eventCount()).toBe(before);
    } finally {
      await small.close();
    }
  });
});
