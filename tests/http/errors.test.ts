import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, members, observers, outcomes, post, schedule, smallGroup, watchLog } from './fixtures.js';
import { startTestApp, type TestApp } from './testApp.js';

let t: TestApp;
let meetingId: string;
beforeAll(async () => {
  t = await startTestApp();
  meetingId = await schedule(t, smallGroup);
});
afterAll(async () => {
  await t.close();
});

/** Sends the request and asserts the refusal appended nothing. */
const refused = async (send: () => ReturnType<TestApp['as']>) => {
  const log = await watchLog(t);
  const res = await send();
  await log.expectUnchanged();
  return res;
};

describe('400: the request does not match the schema', () => {
  const cases: [string, string, () => object][] = [
    ['a number where a name belongs', '/v1/members', () => ({ ...members.iraq, name: 42 })],
    ['a kind that is neither state nor organization', '/v1/members', () => ({ ...members.iraq, kind: 'city' })],
    ['a missing name', '/v1/members', () => ({ memberId: 'iraq', kind: 'state' })],
    ['an unknown field', '/v1/members', () => ({ ...members.iraq, flag: 'red-white-black' })],
    [
      'an unknown field in an agenda item',
      '/v1/meetings',
      () => ({ ...smallGroup, agenda: [{ title: 'x', owner: 'us' }] }),
    ],
    ['a 30 February', '/v1/meetings', () => ({ ...smallGroup, startsAt: '2017-02-30T10:00:00Z', endsAt: undefined })],
    ['an hour 25', '/v1/meetings', () => ({ ...smallGroup, startsAt: '2017-07-13T25:00:00Z', endsAt: undefined })],
    [
      'an instant without an offset',
      '/v1/meetings',
      () => ({ ...smallGroup, startsAt: '2017-07-13T09:00:00', endsAt: undefined }),
    ],
    [
      'a date where an instant belongs',
      '/v1/meetings',
      () => ({ ...smallGroup, startsAt: '2017-07-13', endsAt: undefined }),
    ],
    [
      'an end before the start',
      '/v1/meetings',
      () => ({ ...smallGroup, startsAt: '2017-07-13T17:00:00Z', endsAt: '2017-07-13T09:00:00Z' }),
    ],
    [
      'an end equal to the start',
      '/v1/meetings',
      () => ({ ...smallGroup, startsAt: '2017-07-13T17:00:00Z', endsAt: '2017-07-13T17:00:00Z' }),
    ],
    // 11:00+02:00 is 09:00Z: earlier than 10:00Z although it sorts later as text.
    [
      'an end before the start once offsets are applied',
      '/v1/meetings',
      () => ({ ...smallGroup, startsAt: '2017-07-13T10:00:00Z', endsAt: '2017-07-13T11:00:00+02:00' }),
    ],
    [
      'a forum with two sub-levels',
      '/v1/meetings',
      () => ({ ...smallGroup, forum: 'working-group/counter-finance/extra' }),
    ],
    ['a blank title', '/v1/meetings', () => ({ ...smallGroup, title: '   ' })],
    ['a title with a control character', '/v1/meetings', () => ({ ...smallGroup, title: 'Small\u0007Group' })],
    ['a meetingId that is not a ULID', '/v1/meetings', () => ({ ...smallGroup, meetingId: 'small-group-2017' })],
    [
      'an end before the start on reschedule',
      'reschedule',
      () => ({ startsAt: '2017-07-14T10:00:00Z', endsAt: '2017-07-14T09:00:00Z' }),
    ],
    ['a cancellation without a reason', 'cancel', () => ({})],
    ['an agenda item without a title', 'agenda-items', () => ({ itemId: 'lake-chad' })],
    ['an observer id in capitals', 'observers', () => ({ ...observers.mnjtf, observerId: 'MNJTF' })],
    ['an attendance status of late', 'attendance', () => ({ participantId: 'iraq', status: 'late' })],
    ['a stage without a theatre', 'outcomes', () => ({ kind: 'assessment', summary: 'Mosul', stage: 'liberated' })],
    ['an unknown stage', 'outcomes', () => ({ ...outcomes.mosul, stage: 'won' })],
    ['an outcome on 30 February', 'outcomes', () => ({ ...outcomes.raqqa, occurredOn: '2017-02-30' })],
    ['a body on close', 'close', () => ({ reason: 'done' })],
  ];

  it.each(cases)('refuses %s (POST %s) with 400 problem+json and appends nothing', async (_name, route, body) => {
    const url = route.startsWith('/') ? route : `/v1/meetings/${meetingId}/${route}`;
    const res = await refused(() => post(t, url, body()));
    const problem = expectProblem(res, 400, 'invalid-request');
    expect(problem.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ in: 'body', path: expect.any(String) })]),
    );
  });

  it.each([['null'], ['[]'], ['"Small Group"'], ['42']])('refuses the JSON body %s with 400', async (payload) => {
    const res = await refused(() => post(t, '/v1/members', payload, { 'content-type': 'application/json' }));
    expectProblem(res, 400, 'invalid-request');
  });
});

describe('400: the body is not JSON the ledger will parse', () => {
  it.each([['{"memberId":'], ['{memberId: "iraq"}'], ["{'memberId':'iraq'}"], ['{"memberId":"iraq",}']])(
    'refuses the malformed JSON %s with 400 problem+json',
    async (payload) => {
      const res = await refused(() => post(t, '/v1/members', payload, { 'content-type': 'application/json' }));
      expectProblem(res, 400, 'invalid-json');
    },
  );

  it('reads an empty body declared as JSON as no body, so a command that needs fields is a 400 schema error', async () => {
    const res = await refused(() =>
      post(t, `/v1/meetings/${meetingId}/agenda-items`, '', { 'content-type': 'application/json' }),
    );
    expectProblem(res, 400, 'invalid-request');
  });

  it.each([
    [
      '__proto__ at the top level',
      '{"memberId":"iraq","name":"Iraq","kind":"state","__proto__":{"polluted":true}}',
      '/v1/members',
    ],
    [
      '__proto__ in an agenda item',
      `{"title":"t","forum":"plenary","startsAt":"2017-07-12T13:00:00Z","location":"Washington","agenda":[{"title":"x","__proto__":{"polluted":true}}]}`,
      '/v1/meetings',
    ],
    [
      'constructor.prototype',
      '{"memberId":"iraq","name":"Iraq","kind":"state","constructor":{"prototype":{"polluted":true}}}',
      '/v1/members',
    ],
    ['a constructor key', '{"memberId":"iraq","name":"Iraq","kind":"state","constructor":"Object"}', '/v1/members'],
  ])('refuses a body carrying %s with 400 and pollutes nothing', async (_name, payload, url) => {
    const res = await refused(() => post(t, url, payload, { 'content-type': 'application/json' }));
    expectProblem(res, 400);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });
});

describe('404, 413, 415 and 422', () => {
  it('answers 404 problem+json to a command on a meeting that was never scheduled', async () => {
    const res = await refused(() => post(t, '/v1/meetings/01BX5ZZKBKACTAV9WEVGEMMVRZ/agenda-items', { title: 'x' }));
    expectProblem(res, 404, 'meeting-not-found');
  });

  it.each([
    ['GET', '/v1/committees'],
    ['DELETE', '/v1/meetings/01BX5ZZKBKACTAV9WEVGEMMVRZ'],
    ['PUT', '/v1/members'],
  ] as const)('answers 404 problem+json to an unknown route %s %s', async (method, url) => {
    const res = await refused(() => t.as('secretariat', { method, url }));
    expectProblem(res, 404, 'not-found');
  });

  it('answers 413 problem+json to a body over the default 1 MiB limit', async () => {
    const payload = JSON.stringify({ ...members.iraq, name: 'x'.repeat(1024 * 1024) });
    const res = await refused(() => post(t, '/v1/members', payload, { 'content-type': 'application/json' }));
    expectProblem(res, 413, 'body-too-large');
  });

  it('answers 413 problem+json to a body over a limit set by LEDGER_BODY_LIMIT', async () => {
    const small = await startTestApp({ LEDGER_BODY_LIMIT: '2048' });
    try {
      const before = await small.eventCount();
      const res = await small.as('secretariat', {
        method: 'POST',
        url: '/v1/meetings',
        payload: { ...smallGroup, title: 'x'.repeat(2100) },
      });
      expectProblem(res, 413, 'body-too-large');
      expect(await small.eventCount()).toBe(before);
      const fits = await small.as('secretariat', { method: 'POST', url: '/v1/meetings', payload: smallGroup });
      expect(fits.statusCode).toBe(201);
    } finally {
      await small.close();
    }
  });

  it.each([
    ['text/plain', JSON.stringify(members.iraq)],
    ['application/x-www-form-urlencoded', 'memberId=iraq&name=Iraq&kind=state'],
    ['multipart/form-data; boundary=x', '--x\r\n\r\n--x--'],
    ['application/xml', '<member id="iraq"/>'],
  ])('answers 415 problem+json to a %s body', async (contentType, payload) => {
    const res = await refused(() => post(t, '/v1/members', payload, { 'content-type': contentType }));
    expectProblem(res, 415, 'unsupported-media-type');
  });

  it('answers 422 to attendance of a participant never admitted nor invited', async () => {
    const res = await refused(() =>
      post(t, `/v1/meetings/${meetingId}/attendance`, { participantId: 'atlantis', status: 'present' }),
    );
    expect(expectProblem(res, 422, 'participant-not-eligible')).toMatchObject({ participantId: 'atlantis' });
  });

  it('answers 422 to an outcome on an agenda item the meeting does not have', async () => {
    const res = await refused(() =>
      post(t, `/v1/meetings/${meetingId}/outcomes`, { ...outcomes.mosul, agendaItemId: 'syria' }),
    );
    expectProblem(res, 422, 'agenda-item-not-found');
  });

  it('answers 422 to an observer invited to a session the meeting does not have', async () => {
    const res = await refused(() =>
      post(t, `/v1/meetings/${meetingId}/observers`, { ...observers.mnjtf, session: 'sahel' }),
    );
    expectProblem(res, 422, 'agenda-item-not-found');
  });

  it('answers 422 to scheduling a meeting id that is already taken', async () => {
    const res = await refused(() => post(t, '/v1/meetings', { ...smallGroup, meetingId }));
    expectProblem(res, 422, 'meeting-already-scheduled');
  });

  it('answers 422 to a change of a cancelled meeting', async () => {
    const cancelled = await schedule(t);
    await post(t, `/v1/meetings/${cancelled}/cancel`, { reason: 'Postponed' });
    const res = await refused(() => post(t, `/v1/meetings/${cancelled}/observers`, observers.africanUnion));
    expect(expectProblem(res, 422, 'meeting-not-open')).toMatchObject({ meetingStatus: 'cancelled' });
  });
});
