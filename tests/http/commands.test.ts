import { createHash } from 'node:crypto';
import { eventHash } from '../../src/audit/canonical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectJson,
  expectProblem,
  members,
  observers,
  outcomes,
  post,
  schedule,
  smallGroup,
  ULID,
  watchLog,
  workingGroup,
} from './fixtures.js';
import { startTestApp, tokens, type TestApp } from './testApp.js';

type Accepted = {
  meetingId?: string;
  memberId?: string;
  itemId?: string;
  outcomeId?: string;
  revision: number;
  position: number;
  events: string[];
};

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('POST /v1/members', () => {
  it('admits a new member with 201 and appends MemberAdmitted to its member stream', async () => {
    const log = await watchLog(t);
    const res = await post(t, '/v1/members', members.iraq);
    const body = expectJson<Accepted>(res, 201);
    expect(body).toEqual({ memberId: 'iraq', revision: 0, position: expect.any(Number), events: ['MemberAdmitted'] });
    expect(res.headers.etag).toBe('"0"');
    const appended = await log.appended();
    expect(appended.map((e) => [e.streamId, e.type, e.data])).toEqual([
      ['member-iraq', 'MemberAdmitted', members.iraq],
    ]);
    expect(body.position).toBe(appended[0]?.position);
  });

  it('answers 200 with no events when the member was already admitted', async () => {
    await post(t, '/v1/members', members.france);
    const log = await watchLog(t);
    const res = await post(t, '/v1/members', members.france);
    expect(expectJson<Accepted>(res, 200)).toMatchObject({ memberId: 'france', revision: 0, events: [] });
    await log.expectUnchanged();
  });
});

describe('POST /v1/meetings', () => {
  it('schedules a meeting with 201, a Location, ETag "0" and a generated ULID', async () => {
    const log = await watchLog(t);
    const res = await post(t, '/v1/meetings', smallGroup);
    const body = expectJson<Accepted>(res, 201);
    expect(body.meetingId).toMatch(ULID);
    expect(body).toMatchObject({ revision: 0, events: ['MeetingScheduled'] });
    expect(res.headers.location).toBe(`/v1/meetings/${body.meetingId}`);
    expect(res.headers.etag).toBe('"0"');
    const [event, ...rest] = await log.appended();
    expect(rest).toEqual([]);
    expect(event).toMatchObject({
      streamId: `meeting-${body.meetingId}`,
      revision: 0,
      type: 'MeetingScheduled',
      position: body.position,
    });
    expect(event?.data).toMatchObject({
      startsAt: '2017-07-13T13:00:00.000Z',
      endsAt: '2017-07-13T21:00:00.000Z',
      agenda: smallGroup.agenda,
    });
  });

  it('generates agenda item ids the client left out and keeps those it gave', async () => {
    const agenda = [
      { title: 'Assess the campaign' },
      { itemId: 'intensify-pressure', title: 'Ways to intensify pressure on ISIS' },
    ];
    const meetingId = await schedule(t, { ...workingGroup('counter-finance'), agenda });
    const meeting = expectJson<{ forum: string; agenda: { itemId: string; title: string }[] }>(
      await t.as('secretariat', { method: 'GET', url: `/v1/meetings/${meetingId}` }),
      200,
    );
    expect(meeting.forum).toBe('working-group/counter-finance');
    expect(meeting.agenda).toEqual([
      { itemId: expect.stringMatching(/^item-[0-9a-z]{26}$/), title: 'Assess the campaign' },
      { itemId: 'intensify-pressure', title: 'Ways to intensify pressure on ISIS' },
    ]);
  });

  it('schedules a meeting under the id the client chose', async () => {
    const meetingId = '01BX5ZZKBKACTAV9WEVGEMMVRZ';
    const res = await post(t, '/v1/meetings', { ...workingGroup('communications'), meetingId });
    expect(expectJson<Accepted>(res, 201).meetingId).toBe(meetingId);
    expect(res.headers.location).toBe(`/v1/meetings/${meetingId}`);
  });
});

describe('POST /v1/meetings/{id}/...', () => {
  it('reschedules a meeting, keeping its length when no new end is given', async () => {
    const meetingId = await schedule(t);
    const log = await watchLog(t);
    const res = await post(t, `/v1/meetings/${meetingId}/reschedule`, {
      startsAt: '2017-07-13T14:00:00Z',
      reason: 'Plenary ran late',
    });
    expect(expectJson<Accepted>(res, 200)).toMatchObject({ meetingId, revision: 1, events: ['MeetingRescheduled'] });
    expect(res.headers.etag).toBe('"1"');
    const [event] = await log.appended();
    expect(event?.data).toEqual({
      meetingId,
      startsAt: '2017-07-13T14:00:00.000Z',
      endsAt: '2017-07-13T22:00:00.000Z',
      previousStartsAt: '2017-07-13T13:00:00.000Z',
      previousEndsAt: '2017-07-13T21:00:00.000Z',
      reason: 'Plenary ran late',
    });
  });

  it('cancels a meeting with its reason', async () => {
    const meetingId = await schedule(t, workingGroup('foreign-terrorist-fighters'));
    const log = await watchLog(t);
    const res = await post(t, `/v1/meetings/${meetingId}/cancel`, { reason: 'Merged into the plenary' });
    expect(expectJson<Accepted>(res, 200)).toMatchObject({ meetingId, revision: 1, events: ['MeetingCancelled'] });
    expect((await log.appended()).map((e) => e.data)).toEqual([{ meetingId, reason: 'Merged into the plenary' }]);
  });

  it('adds an agenda item and returns its generated itemId', async () => {
    const meetingId = await schedule(t);
    const log = await watchLog(t);
    const res = await post(t, `/v1/meetings/${meetingId}/agenda-items`, {
      title: 'Stabilization and the return of the displaced',
    });
    const body = expectJson<Accepted>(res, 200);
    expect(body).toMatchObject({ meetingId, revision: 1, events: ['AgendaItemAdded'] });
    expect(body.itemId).toMatch(/^item-[0-9a-z]{26}$/);
    expect((await log.appended()).map((e) => e.data)).toEqual([
      { meetingId, itemId: body.itemId, title: 'Stabilization and the return of the displaced' },
    ]);
  });

  it('invites the African Union and the MNJTF to the Lake Chad Basin session, and a repeated invitation changes nothing', async () => {
    const meetingId = await schedule(t);
    const log = await watchLog(t);
    const au = await post(t, `/v1/meetings/${meetingId}/observers`, observers.africanUnion);
    expect(expectJson<Accepted>(au, 200)).toMatchObject({ meetingId, revision: 1, events: ['ObserverInvited'] });
    const mnjtf = await post(t, `/v1/meetings/${meetingId}/observers`, observers.mnjtf);
    expect(expectJson<Accepted>(mnjtf, 200)).toMatchObject({ revision: 2, events: ['ObserverInvited'] });
    const again = await post(t, `/v1/meetings/${meetingId}/observers`, observers.mnjtf);
    expect(expectJson<Accepted>(again, 200)).toMatchObject({ revision: 2, events: [] });
    expect((await log.appended()).map((e) => e.data)).toEqual([
      { meetingId, ...observers.africanUnion },
      { meetingId, ...observers.mnjtf },
    ]);
  });

  it('records attendance of an admitted member and of an invited observer, the later record replacing the earlier', async () => {
    await post(t, '/v1/members', members.unitedStates);
    const meetingId = await schedule(t);
    await post(t, `/v1/meetings/${meetingId}/observers`, observers.africanUnion);
    const log = await watchLog(t);
    const member = await post(t, `/v1/meetings/${meetingId}/attendance`, {
      participantId: 'united-states',
      status: 'absent',
    });
    expect(expectJson<Accepted>(member, 200)).toMatchObject({ meetingId, revision: 2, events: ['AttendanceRecorded'] });
    await post(t, `/v1/meetings/${meetingId}/attendance`, { participantId: 'united-states', status: 'present' });
    await post(t, `/v1/meetings/${meetingId}/attendance`, { participantId: 'african-union', status: 'present' });
    expect((await log.appended()).map((e) => e.data)).toEqual([
      { meetingId, participantId: 'united-states', role: 'member', status: 'absent' },
      { meetingId, participantId: 'united-states', role: 'member', status: 'present' },
      { meetingId, participantId: 'african-union', role: 'observer', status: 'present' },
    ]);
    const meeting = expectJson<{ attendance: unknown[] }>(
      await t.as('secretariat', { method: 'GET', url: `/v1/meetings/${meetingId}` }),
      200,
    );
    expect(meeting.attendance).toEqual([
      { participantId: 'united-states', role: 'member', status: 'present' },
      { participantId: 'african-union', role: 'observer', status: 'present' },
    ]);
  });

  it('records outcomes for Mosul, Raqqa and the Lake Chad Basin, each with its outcomeId', async () => {
    const meetingId = await schedule(t);
    const log = await watchLog(t);
    const ids: string[] = [];
    for (const [revision, outcome] of [outcomes.mosul, outcomes.raqqa, outcomes.lakeChad].entries()) {
      const body = expectJson<Accepted>(await post(t, `/v1/meetings/${meetingId}/outcomes`, outcome), 200);
      expect(body).toMatchObject({ meetingId, revision: revision + 1, events: ['OutcomeRecorded'] });
      expect(body.outcomeId).toMatch(ULID);
      ids.push(body.outcomeId ?? '');
    }
    const appended = await log.appended();
    expect(appended.map((e) => e.data)).toEqual([
      { meetingId, outcomeId: ids[0], ...outcomes.mosul },
      { meetingId, outcomeId: ids[1], agendaItemId: null, occurredOn: null, ...outcomes.raqqa },
      { meetingId, outcomeId: ids[2], stage: null, occurredOn: null, ...outcomes.lakeChad },
    ]);
  });

  it('closes a meeting without a body, after which it takes no further changes', async () => {
    const meetingId = await schedule(t);
    const log = await watchLog(t);
    const res = await post(t, `/v1/meetings/${meetingId}/close`);
    expect(expectJson<Accepted>(res, 200)).toMatchObject({ meetingId, revision: 1, events: ['MeetingClosed'] });
    expect((await log.appended()).map((e) => e.type)).toEqual(['MeetingClosed']);
    const after = await watchLog(t);
    expectProblem(await post(t, `/v1/meetings/${meetingId}/outcomes`, outcomes.raqqa), 422, 'meeting-not-open');
    await after.expectUnchanged();
  });

  it('closes a meeting whose body is declared as JSON but empty', async () => {
    const meetingId = await schedule(t);
    const res = await post(t, `/v1/meetings/${meetingId}/close`, '', { 'content-type': 'application/json' });
    expect(expectJson<Accepted>(res, 200)).toMatchObject({ meetingId, revision: 1, events: ['MeetingClosed'] });
  });

  it('stamps every event with the command metadata and the caller as actor', async () => {
    const res = await post(t, '/v1/meetings', smallGroup, { 'x-request-id': 'press-note-2017-07-05' });
    expect(res.headers['x-request-id']).toMatch(ULID); // the server names the request itself
    const { meetingId } = expectJson<Accepted>(res, 201);
    const [event] = await t.ledger.store.readStream(`meeting-${meetingId}`);
    expect(event?.metadata).toEqual({
      commandId: expect.stringMatching(ULID),
      correlationId: 'press-note-2017-07-05',
      causationId: event?.metadata.commandId,
      actor: expect.stringMatching(/^secretariat#env_[A-Za-z0-9_-]{22}$/),
      recordedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      schemaVersion: 1,
      prevHash: null, // the first event of its stream
    });
  });

  it('names the caller by an id that reveals nothing of its token, the same on every command', async () => {
    const first = expectJson<Accepted>(await post(t, '/v1/meetings', smallGroup), 201);
    const second = expectJson<Accepted>(await post(t, '/v1/meetings', smallGroup), 201);
    const actors = await Promise.all(
      [first, second].map(
        async ({ meetingId }) => (await t.ledger.store.readStream(`meeting-${meetingId}`))[0]?.metadata.actor,
      ),
    );
    expect(actors[0]).toBe(actors[1]);
    // An actor made of the token's digest would let anyone reading the feed test guesses at the token.
    const digest = createHash('sha256').update(tokens.secretariat).digest('hex');
    for (let at = 0; at + 6 <= digest.length; at += 1) expect(actors[0]).not.toContain(digest.slice(at, at + 6));
  });

  it('links each event to the previous one of its stream by hash', async () => {
    const { meetingId } = expectJson<Accepted>(await post(t, '/v1/meetings', smallGroup), 201);
    await post(t, `/v1/meetings/${meetingId}/agenda-items`, { title: 'Stabilization support' });
    await post(t, `/v1/meetings/${meetingId}/close`);
    const events = await t.ledger.store.readStream(`meeting-${meetingId}`);
    expect(events.map((e) => e.metadata.prevHash)).toEqual([null, eventHash(events[0]!), eventHash(events[1]!)]);
  });
});
