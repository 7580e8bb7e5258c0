import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectJson,
  expectProblem,
  members,
  observers,
  outcomes,
  plenary,
  post,
  schedule,
  smallGroup,
  workingGroup,
} from './fixtures.js';
import { startTestApp, type TestApp } from './testApp.js';

type LogEvent = {
  position: number;
  eventId: string;
  streamId: string;
  revision: number;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
  recordedAt: string;
};
type Page = { events: LogEvent[]; next: number | null };

let t: TestApp;
let smallGroupId: string;
beforeAll(async () => {
  t = await startTestApp();
  await post(t, '/v1/members', members.unitedStates);
  await schedule(t, workingGroup('counter-finance'));
  await schedule(t, plenary);
  smallGroupId = await schedule(t, smallGroup);
  await post(t, `/v1/meetings/${smallGroupId}/observers`, observers.africanUnion);
  await post(t, `/v1/meetings/${smallGroupId}/attendance`, { participantId: 'united-states', status: 'present' });
  await post(t, `/v1/meetings/${smallGroupId}/outcomes`, outcomes.mosul);
});
afterAll(async () => {
  await t.close();
});

describe('GET /v1/meetings/{id}', () => {
  it('answers the meeting folded from its stream, with its revision as ETag', async () => {
    const res = await t.as('auditor', { method: 'GET', url: `/v1/meetings/${smallGroupId}` });
    const meeting = expectJson(res, 200);
    expect(res.headers.etag).toBe('"3"');
    expect(meeting).toEqual({
      meetingId: smallGroupId,
      status: 'scheduled',
      title: smallGroup.title,
      forum: 'small-group',
      startsAt: '2017-07-13T13:00:00.000Z',
      endsAt: '2017-07-13T21:00:00.000Z',
      location: 'Washington, DC',
      host: smallGroup.host,
      cancellationReason: null,
      agenda: smallGroup.agenda,
      observers: [observers.africanUnion],
      attendance: [{ participantId: 'united-states', role: 'member', status: 'present' }],
      outcomes: [{ outcomeId: expect.any(String), ...outcomes.mosul, status: 'standing', corrections: 0, history: [] }],
      revision: 3,
    });
  });

  it('answers 304 with the ETag and no body when If-None-Match names the current revision', async () => {
    const res = await t.as('secretariat', {
      method: 'GET',
      url: `/v1/meetings/${smallGroupId}`,
      headers: { 'if-none-match': '"3"' },
    });
    expect(res.statusCode).toBe(304);
    expect(res.headers.etag).toBe('"3"');
    expect(res.body).toBe('');
  });

  it('answers the full meeting when If-None-Match names an older revision', async () => {
    const res = await t.as('secretariat', {
      method: 'GET',
      url: `/v1/meetings/${smallGroupId}`,
      headers: { 'if-none-match': '"2"' },
    });
    expect(expectJson(res, 200)).toMatchObject({ meetingId: smallGroupId, revision: 3 });
  });

  it('answers 404 problem+json for a meeting that was never scheduled', async () => {
    const res = await t.as('secretariat', { method: 'GET', url: '/v1/meetings/01BX5ZZKBKACTAV9WEVGEMMVRZ' });
    expectProblem(res, 404, 'meeting-not-found');
  });
});

describe('GET /v1/meetings/{id}/events', () => {
  it('answers every event of the meeting in revision order', async () => {
    const res = await t.as('auditor', { method: 'GET', url: `/v1/meetings/${smallGroupId}/events` });
    const { events } = expectJson<{ events: LogEvent[] }>(res, 200);
    expect(events.map((e) => [e.revision, e.type])).toEqual([
      [0, 'MeetingScheduled'],
      [1, 'ObserverInvited'],
      [2, 'AttendanceRecorded'],
      [3, 'OutcomeRecorded'],
    ]);
    for (const event of events) {
      expect(event).toMatchObject({
        streamId: `meeting-${smallGroupId}`,
        position: expect.any(Number),
        eventId: expect.any(String),
      });
      expect(event.metadata).toMatchObject({
        actor: expect.stringMatching(/^secretariat#/),
        commandId: expect.any(String),
      });
    }
  });

  it('answers 404 problem+json for a meeting with no stream', async () => {
    expectProblem(
      await t.as('auditor', { method: 'GET', url: '/v1/meetings/01BX5ZZKBKACTAV9WEVGEMMVRZ/events' }),
      404,
      'meeting-not-found',
    );
  });
});

describe('GET /v1/events', () => {
  it('pages through the whole log in position order, with next null on the last page', async () => {
    const total = await t.eventCount();
    const seen: LogEvent[] = [];
    let after = 0;
    for (let pages = 0; pages < 20; pages += 1) {
      const res = await t.as('auditor', { method: 'GET', url: `/v1/events?after=${after}&limit=3` });
      const page = expectJson<Page>(res, 200);
      expect(page.events.length).toBeLessThanOrEqual(3);
      seen.push(...page.events);
      if (page.next === null) break;
      expect(page.next).toBe(page.events.at(-1)?.position);
      after = page.next;
    }
    expect(seen).toHaveLength(total);
    const positions = seen.map((e) => e.position);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(new Set(positions).size).toBe(total);
    expect(seen[0]).toEqual({
      position: positions[0],
      eventId: expect.any(String),
      streamId: 'member-united-states',
      revision: 0,
      type: 'MemberAdmitted',
      data: members.unitedStates,
      metadata: expect.objectContaining({ actor: expect.any(String) }),
      recordedAt: expect.any(String),
    });
  });

  it('answers the first 100 events by default, and next null when the page holds the rest exactly', async () => {
    const total = await t.eventCount();
    expect(expectJson<Page>(await t.as('auditor', { method: 'GET', url: '/v1/events' }), 200)).toMatchObject({
      next: null,
    });
    const exact = expectJson<Page>(await t.as('auditor', { method: 'GET', url: `/v1/events?limit=${total}` }), 200);
    expect(exact.events).toHaveLength(total);
    expect(exact.next).toBeNull();
  });

  it('answers an empty page with next null after the head of the log', async () => {
    const head = await t.ledger.store.headPosition();
    const res = await t.as('auditor', { method: 'GET', url: `/v1/events?after=${head}` });
    expect(expectJson<Page>(res, 200)).toEqual({ events: [], next: null });
  });

  it.each([['limit=0'], ['limit=1001'], ['limit=two'], ['after=-1'], ['after=1.5'], ['after=1e400'], ['cursor=3']])(
    'refuses the query %s with 400 problem+json',
    async (query) => {
      const res = await t.as('auditor', { method: 'GET', url: `/v1/events?${query}` });
      expectProblem(res, 400, 'invalid-request');
    },
  );
});

describe('health, readiness and documentation', () => {
  it('answers /healthz without a token', async () => {
    expect(expectJson(await t.as(null, { method: 'GET', url: '/healthz' }), 200)).toEqual({ status: 'ok' });
  });

  it('answers /readyz without a token once the store answers', async () => {
    expect(expectJson(await t.as(null, { method: 'GET', url: '/readyz' }), 200)).toEqual({ status: 'ready' });
  });

  it('serves the OpenAPI document listing every /v1 path and method without a token', async () => {
    const doc = expectJson<{ openapi: string; paths: Record<string, Record<string, unknown>> }>(
      await t.as(null, { method: 'GET', url: '/openapi.json' }),
      200,
    );
    expect(doc.openapi).toMatch(/^3\./);
    const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations.filter((op) => op.includes(' /v1/')).sort()).toEqual(
      [
        'POST /v1/members',
        'POST /v1/meetings',
        ...['reschedule', 'cancel', 'agenda-items', 'observers', 'attendance', 'outcomes', 'close'].map(
          (c) => `POST /v1/meetings/{id}/${c}`,
        ),
        'POST /v1/meetings/{id}/outcomes/{outcomeId}/amend',
        'POST /v1/meetings/{id}/outcomes/{outcomeId}/retract',
        'GET /v1/meetings/{id}',
        'GET /v1/meetings/{id}/events',
        'GET /v1/events',
        'GET /v1/agenda',
        'GET /v1/attendance',
        'GET /v1/attendance/{participantId}',
        'GET /v1/timeline',
        'GET /v1/projections',
        'GET /v1/agenda.ics',
        'GET /v1/events/live',
        'GET /v1/audit/checkpoint',
        'GET /v1/audit/checkpoints',
        'GET /v1/audit/public-key',
        'POST /v1/audit/checkpoint',
        'GET /v1/audit/proofs/inclusion',
        'GET /v1/audit/proofs/consistency',
        'GET /v1/audit/verify',
      ].sort(),
    );
  });

  it('serves the Swagger UI at /docs without a token', async () => {
    const res = await t.as(null, { method: 'GET', url: '/docs' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('Swagger UI');
  });
});
