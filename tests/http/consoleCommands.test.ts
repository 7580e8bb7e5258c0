import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/config.js';
import { consoleSignIn } from './consoleSignIn.js';
import { expectJson, expectProblem, members, schedule, smallGroup, watchLog } from './fixtures.js';
import { startTestApp, type TestApp } from './testApp.js';

/** What Chromium sends with a fetch from a page of the ledger itself (inject's Host is localhost:80). */
const FROM_THE_CONSOLE = { origin: 'http://localhost', 'sec-fetch-site': 'same-origin' };

describe('commands from a console session', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  const admit = (headers: Record<string, string>, member: object = members.iraq): Promise<LightMyRequestResponse> =>
    t.app.inject({ method: 'POST', url: '/v1/members', headers, payload: member });

  const secretariat = async (extra: Record<string, string> = {}) => {
    const { cookie, csrfToken } = await consoleSignIn(t, 'secretariat');
    return { cookie, 'x-csrf-token': csrfToken, ...FROM_THE_CONSOLE, ...extra };
  };

  it('accepts a command with the session cookie, its CSRF token and a same-origin request', async () => {
    const log = await watchLog(t);
    const response = await admit(await secretariat());
    expect(expectJson(response, 201)).toMatchObject({ memberId: 'iraq', events: ['MemberAdmitted'] });
    const [admitted] = await log.appended();
    expect(admitted?.metadata).toMatchObject({ actor: expect.stringMatching(/^secretariat/) });
  });

  it('refuses a session command without its CSRF token with a 403 problem, appending nothing', async () => {
    const log = await watchLog(t);
    const { 'x-csrf-token': _dropped, ...withoutToken } = await secretariat();
    expectProblem(await admit(withoutToken, members.france), 403, 'csrf');
    await log.expectUnchanged();
  });

  it("refuses another session's CSRF token, and a made-up one", async () => {
    const log = await watchLog(t);
    const other = await consoleSignIn(t, 'auditor');
    expectProblem(await admit(await secretariat({ 'x-csrf-token': other.csrfToken }), members.france), 403, 'csrf');
    expectProblem(await admit(await secretariat({ 'x-csrf-token': 'x'.repeat(43) }), members.france), 403, 'csrf');
    await log.expectUnchanged();
  });

  it('refuses a valid CSRF token sent from another site, or with no sign of where it came from', async () => {
    const log = await watchLog(t);
    const headers = await secretariat();
    const crossSite = { ...headers, 'sec-fetch-site': 'cross-site' };
    const otherOrigin = { ...headers, origin: 'https://attacker.example' };
    const { origin: _o, 'sec-fetch-site': _s, ...unsourced } = headers;
    for (const attempt of [crossSite, otherOrigin, unsourced]) {
      expectProblem(await admit(attempt, members.france), 403, 'csrf');
    }
    await log.expectUnchanged();
  });

  it.each<Role>(['reporter', 'auditor'])(
    'refuses a command from a %s session with its valid CSRF token',
    async (role) => {
      const log = await watchLog(t);
      const { cookie, csrfToken } = await consoleSignIn(t, role);
      const headers = { cookie, 'x-csrf-token': csrfToken, ...FROM_THE_CONSOLE };
      expectProblem(await admit(headers, members.france), 403, 'forbidden');
      await log.expectUnchanged();
    },
  );

  it('refuses an expired or forged session on a command with 401, before looking at the CSRF token', async () => {
    const log = await watchLog(t);
    const headers = await secretariat({ cookie: 'ledger_session=forged.value' });
    expectProblem(await admit(headers, members.france), 401, 'unauthorized');
    await log.expectUnchanged();
  });

  it('keeps Idempotency-Key and If-Match for session commands: a retry is answered once, a stale revision refused', async () => {
    const meetingId = await schedule(t, smallGroup);
    const headers = await secretariat({ 'idempotency-key': 'console-form-1', 'if-match': '"0"' });
    const cancel = () =>
      t.app.inject({ method: 'POST', url: `/v1/meetings/${meetingId}/cancel`, headers, payload: { reason: 'Storm' } });
    const first = await cancel();
    expect(expectJson(first, 200)).toMatchObject({ revision: 1, events: ['MeetingCancelled'] });
    const log = await watchLog(t);
    const retry = await cancel();
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.json()).toEqual(first.json());
    const stale = await t.app.inject({
      method: 'POST',
      url: `/v1/meetings/${meetingId}/agenda-items`,
      headers: { ...headers, 'idempotency-key': 'console-form-2' },
      payload: { title: 'Too late' },
    });
    expectProblem(stale, 412, 'precondition-failed');
    await log.expectUnchanged();
  });

  it('gives the CSRF token again to a page opened later in the same session', async () => {
    const { cookie, csrfToken } = await consoleSignIn(t, 'secretariat');
    const response = await t.app.inject({ url: '/console/session', headers: { cookie } });
    expect(response.json()).toMatchObject({ signedIn: true, role: 'secretariat', csrfToken });
    expect(response.headers['cache-control']).toBe('no-store');
  });
});
