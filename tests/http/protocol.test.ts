import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './testApp.js';
import { expectProblem, members, post, schedule, watchLog } from './fixtures.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('HTTP details a client relies on', () => {
  it.each([
    ['a gzip-compressed body', { 'content-type': 'application/json', 'content-encoding': 'gzip' }],
    ['a UTF-16 body', { 'content-type': 'application/json; charset=utf-16' }],
  ])('refuses %s with 415 rather than misreading it, and appends nothing', async (_case, headers) => {
    const log = await watchLog(t);
    expectProblem(await post(t, '/v1/members', JSON.stringify(members.iraq), headers), 415, 'unsupported-media-type');
    await log.expectUnchanged();
  });

  it('refuses bytes that are not UTF-8 with 400 rather than storing replacement characters', async () => {
    const log = await watchLog(t);
    const latin1 = Buffer.from('{"memberId":"cote-divoire","name":"C\xf4te d\'Ivoire","kind":"state"}', 'latin1');
    const res = await t.as('secretariat', {
      method: 'POST',
      url: '/v1/members',
      payload: latin1,
      headers: { 'content-type': 'application/json' },
    });
    expectProblem(res, 400, 'invalid-json');
    await log.expectUnchanged();
  });

  it('accepts JSON declared as UTF-8', async () => {
    const res = await post(t, '/v1/members', JSON.stringify({ memberId: 'jordan', name: 'Jordan', kind: 'state' }), {
      'content-type': 'application/json; charset=UTF-8',
    });
    expect(res.statusCode).toBe(201);
  });

  it('tells a caller without a token how to authenticate', async () => {
    const res = await t.as(null, { method: 'GET', url: '/v1/events' });
    expectProblem(res, 401, 'unauthorized');
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
  });

  it.each([['"0"'], ['W/"0"'], ['"7", "0"'], ['*']])(
    'answers 304 to If-None-Match %s on an unchanged meeting',
    async (tag) => {
      const meetingId = await schedule(t);
      const res = await t.as('auditor', {
        method: 'GET',
        url: `/v1/meetings/${meetingId}`,
        headers: { 'if-none-match': tag },
      });
      expect(res.statusCode).toBe(304);
      expect(res.body).toBe('');
    },
  );

  it('answers 200 to If-None-Match naming another revision', async () => {
    const meetingId = await schedule(t);
    const res = await t.as('auditor', {
      method: 'GET',
      url: `/v1/meetings/${meetingId}`,
      headers: { 'if-none-match': '"3"' },
    });
    expect(res.statusCode).toBe(200);
  });
});
