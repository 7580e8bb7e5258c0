import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestFingerprint } from '../../src/http/commandContext.js';
import {
  expectJson,
  expectProblem,
  members,
  observers,
  outcomes,
  post,
  schedule,
  smallGroup,
  watchLog,
} from './fixtures.js';
import { startTestApp, tokens, type TestApp } from './testApp.js';

type Accepted = { meetingId?: string; outcomeId?: string; revision: number; position: number; events: string[] };

let t: TestApp;
let meetingId: string;
beforeAll(async () => {
  t = await startTestApp();
  meetingId = await schedule(t, smallGroup);
});
afterAll(async () => {
  await t.close();
});

describe('Idempotency-Key', () => {
  it('answers a retried schedule with the same status, body, Location and ETag, marked as replayed, appending nothing', async () => {
    const key = { 'idempotency-key': 'schedule-small-group-2017-07-13' };
    const first = await post(t, '/v1/meetings', smallGroup, key);
    expect(first.statusCode).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const log = await watchLog(t);
    const retry = await post(t, '/v1/meetings', smallGroup, key);
    expect(expectJson(retry, 201)).toEqual(first.json());
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.headers.location).toBe(first.headers.location);
    expect(retry.headers.etag).toBe(first.headers.etag);
    await log.expectUnchanged();
  });

  it('replays the generated outcomeId rather than generating another', async () => {
    const key = { 'idempotency-key': 'outcome-mosul' };
    const first = expectJson<Accepted>(await post(t, `/v1/meetings/${meetingId}/outcomes`, outcomes.mosul, key), 200);
    const log = await watchLog(t);
    const retry = expectJson<Accepted>(await post(t, `/v1/meetings/${meetingId}/outcomes`, outcomes.mosul, key), 200);
    expect(retry).toEqual(first);
    await log.expectUnchanged();
    const meeting = expectJson<{ outcomes: { outcomeId: string }[] }>(
      await t.as('auditor', { method: 'GET', url: `/v1/meetings/${meetingId}` }),
      200,
    );
    expect(meeting.outcomes.filter((o) => o.outcomeId === first.outcomeId)).toHaveLength(1);
  });

  it('treats the same body with its keys in another order as the same request', async () => {
    const key = { 'idempotency-key': 'invite-african-union' };
    const first = expectJson(await post(t, `/v1/meetings/${meetingId}/observers`, observers.africanUnion, key), 200);
    const reordered = JSON.stringify({
      session: 'lake-chad-basin',
      kind: 'organization',
      name: 'African Union',
      observerId: 'african-union',
    });
    const log = await watchLog(t);
    const retry = await post(t, `/v1/meetings/${meetingId}/observers`, reordered, {
      ...key,
      'content-type': 'application/json',
    });
    expect(expectJson(retry, 200)).toEqual(first);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    await log.expectUnchanged();
  });

  it('replays the first answer even after the meeting has moved past the If-Match it was sent with', async () => {
    const id = await schedule(t);
    const headers = { 'idempotency-key': 'add-item-at-0', 'if-match': '"0"' };
    const first = expectJson(
      await post(t, `/v1/meetings/${id}/agenda-items`, { title: 'Foreign terrorist fighters' }, headers),
      200,
    );
    await post(t, `/v1/meetings/${id}/agenda-items`, { title: 'Counter finance' });
    const log = await watchLog(t);
    const retry = await post(t, `/v1/meetings/${id}/agenda-items`, { title: 'Foreign terrorist fighters' }, headers);
    expect(expectJson(retry, 200)).toEqual(first);
    await log.expectUnchanged();
  });

  it('answers 422 to the same key with a different body, appending nothing', async () => {
    const key = { 'idempotency-key': 'admit-iraq' };
    await post(t, '/v1/members', members.iraq, key);
    const log = await watchLog(t);
    const res = await post(t, '/v1/members', members.france, key);
    expectProblem(res, 422, 'idempotency-key-reused');
    expect(res.headers['idempotent-replayed']).toBeUndefined();
    await log.expectUnchanged();
  });

  it('answers 422 to the same key and body on another route, appending nothing', async () => {
    const key = { 'idempotency-key': 'cancel-or-close' };
    const other = await schedule(t);
    expectJson(await post(t, `/v1/meetings/${other}/close`, {}, key), 200);
    const log = await watchLog(t);
    expectProblem(await post(t, `/v1/meetings/${meetingId}/close`, {}, key), 422, 'idempotency-key-reused');
    expectProblem(
      await post(t, `/v1/meetings/${other}/agenda-items`, { title: 'x' }, key),
      422,
      'idempotency-key-reused',
    );
    await log.expectUnchanged();
  });

  it('appends exactly once when ten identical requests with one key arrive together', async () => {
    const log = await watchLog(t);
    const key = { 'idempotency-key': 'outcome-raqqa-burst' };
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => post(t, `/v1/meetings/${meetingId}/outcomes`, outcomes.raqqa, key)),
    );
    const bodies = responses.map((res) => expectJson<Accepted>(res, 200));
    expect(new Set(bodies.map((b) => JSON.stringify(b))).size).toBe(1);
    expect(responses.filter((res) => res.headers['idempotent-replayed'] === 'true')).toHaveLength(9);
    const appended = await log.appended();
    expect(appended.map((e) => e.type)).toEqual(['OutcomeRecorded']);
    expect(appended[0]?.data).toMatchObject({ outcomeId: bodies[0]?.outcomeId });
  });

  it('appends exactly once when ten identical schedules with one key arrive together', async () => {
    const log = await watchLog(t);
    const key = { 'idempotency-key': 'small-group-burst' };
    const responses = await Promise.all(Array.from({ length: 10 }, () => post(t, '/v1/meetings', smallGroup, key)));
    const ids = new Set(responses.map((res) => expectJson<Accepted>(res, 201).meetingId));
    expect(ids.size).toBe(1);
    expect((await log.appended()).map((e) => e.type)).toEqual(['MeetingScheduled']);
  });

  it('keeps the keys of two secretariat tokens apart', async () => {
    const second = 'secretariat-token-second-desk-42';
    const two = await startTestApp({
      LEDGER_TOKENS: [
        ...Object.entries(tokens).map(([role, token]) => `${role}:${token}`),
        `secretariat:${second}`,
      ].join(','),
    });
    try {
      const key = { 'idempotency-key': 'same-key' };
      const first = await two.as('secretariat', {
        method: 'POST',
        url: '/v1/members',
        headers: key,
        payload: members.iraq,
      });
      expect(first.statusCode).toBe(201);
      const before = await two.eventCount();
      const other = await two.app.inject({
        method: 'POST',
        url: '/v1/members',
        headers: { ...key, authorization: `Bearer ${second}` },
        payload: members.france,
      });
      expect(expectJson(other, 201)).toMatchObject({ memberId: 'france', events: ['MemberAdmitted'] });
      expect(other.headers['idempotent-replayed']).toBeUndefined();
      expect(await two.eventCount()).toBe(before + 1);
    } finally {
      await two.close();
    }
  });
});

describe('Idempotency-Key across tokens and versions', () => {
  it('keeps apart the keys of two tokens whose digests begin with the same 8 hex digits', async () => {
    // SHA-256 of both begins 6d8d3206: the same actor, and so the same key scope, before tokens had ids.
    const [desk, otherDesk] = ['secretariat-desk-4836', 'secretariat-desk-5094'];
    const two = await startTestApp({ LEDGER_TOKENS: `secretariat:${desk},secretariat:${otherDesk}` });
    try {
      const admit = (token: string, member: object) =>
        two.app.inject({
          method: 'POST',
          url: '/v1/members',
          headers: { authorization: `Bearer ${token}`, 'idempotency-key': 'admit' },
          payload: member,
        });
      expect((await admit(desk, members.iraq)).statusCode).toBe(201);
      const other = await admit(otherDesk, members.france);
      expect(expectJson(other, 201)).toMatchObject({ memberId: 'france', events: ['MemberAdmitted'] });
      expect(other.headers['idempotent-replayed']).toBeUndefined();
    } finally {
      await two.close();
    }
  });

  it('answers a retry of a command whose key was kept before tokens had ids, appending nothing', async () => {
    // given the answer an earlier version kept under the caller's former actor
    const key = 'admit-kenya-before-upgrade';
    const kenya = { memberId: 'kenya', name: 'Kenya', kind: 'state' };
    const formerActor = `secretariat#${createHash('sha256').update(tokens.secretariat).digest('hex').slice(0, 8)}`;
    const kept = { memberId: 'kenya', revision: 0, position: 1, events: ['MemberAdmitted'] };
    await t.ledger.store.appendToStream('member-kenya', [], {
      expectedRevision: 'any',
      idempotency: {
        scope: `${formerActor}/${key}`,
        fingerprint: requestFingerprint('POST', '/v1/members', undefined, kenya),
        respond: () => ({ status: 201, body: kept }),
      },
    });
    // when the client retries it after the upgrade
    const log = await watchLog(t);
    const retry = await post(t, '/v1/members', kenya, { 'idempotency-key': key });
    // then it gets the kept answer
    expect(expectJson(retry, 201)).toEqual(kept);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    await log.expectUnchanged();
  });
});

describe('Idempotency-Key on a refused command', () => {
  it('answers a retry with the first refusal, even after the rule would now let it through', async () => {
    const key = { 'idempotency-key': 'attendance-nigeria-before-admission' };
    const attendance = { participantId: 'nigeria', status: 'present' };
    const first = await post(t, `/v1/meetings/${meetingId}/attendance`, attendance, key);
    const refusal = expectProblem(first, 422, 'participant-not-eligible');
    expect(first.headers['idempotent-replayed']).toBeUndefined();

    expect((await post(t, '/v1/members', { memberId: 'nigeria', name: 'Nigeria', kind: 'state' })).statusCode).toBe(
      201,
    );
    const log = await watchLog(t);
    const retry = await post(t, `/v1/meetings/${meetingId}/attendance`, attendance, key);
    expect(expectProblem(retry, 422, 'participant-not-eligible')).toEqual(refusal);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    await log.expectUnchanged();

    const fresh = await post(t, `/v1/meetings/${meetingId}/attendance`, attendance, {
      'idempotency-key': 'attendance-nigeria-after',
    });
    expect(expectJson<Accepted>(fresh, 200).events).toEqual(['AttendanceRecorded']);
  });

  it('keeps a 404 and a stale If-Match under their keys too', async () => {
    const missing = '01BMY0HQ40ZZZZZZZZZZZZZZZZ';
    const first = await post(t, `/v1/meetings/${missing}/close`, {}, { 'idempotency-key': 'close-missing' });
    expectProblem(first, 404, 'meeting-not-found');
    const again = await post(t, `/v1/meetings/${missing}/close`, {}, { 'idempotency-key': 'close-missing' });
    expectProblem(again, 404, 'meeting-not-found');
    expect(again.headers['idempotent-replayed']).toBe('true');

    const stale = { 'idempotency-key': 'stale-if-match', 'if-match': '"0"' };
    await post(t, `/v1/meetings/${meetingId}/agenda-items`, { title: 'Stabilization support' });
    const refused = await post(t, `/v1/meetings/${meetingId}/agenda-items`, { title: 'Counter finance' }, stale);
    expectProblem(refused, 412, 'precondition-failed');
    const replayed = await post(t, `/v1/meetings/${meetingId}/agenda-items`, { title: 'Counter finance' }, stale);
    expectProblem(replayed, 412, 'precondition-failed');
    expect(replayed.headers['idempotent-replayed']).toBe('true');
  });

  it('does not keep a schema error: the corrected request may reuse the key', async () => {
    const key = { 'idempotency-key': 'fix-the-typo' };
    expectProblem(await post(t, `/v1/meetings/${meetingId}/cancel`, { reasn: 'Postponed' }, key), 400);
    expect((await post(t, `/v1/meetings/${meetingId}/observers`, observers.mnjtf, key)).statusCode).toBe(200);
  });
});
