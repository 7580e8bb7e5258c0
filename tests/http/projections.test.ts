import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectJson, expectProblem, members, outcomes, plenary, post, schedule, smallGroup } from './fixtures.js';
import { PageCursors } from '../../src/http/pageCursors.js';
import { startTestApp, type TestApp } from './testApp.js';

type Accepted = { meetingId: string; revision: number; position: number };
type Agenda = { position: number; meetings: { meetingId: string; title: string; status: string }[] };
type Timeline = { position: number; entries: { theatre: string; stage: string }[]; theatres: { theatre: string }[] };

let t: TestApp;
let smallGroupId: string;
let afterPlenary: number;
const SINCE_2017 = 'from=2017-01-01T00:00:00Z';

beforeAll(async () => {
  t = await startTestApp();
  const scheduled = await post(t, '/v1/meetings', plenary);
  afterPlenary = expectJson<Accepted>(scheduled, 201).position;
  smallGroupId = await schedule(t, smallGroup);
});
afterAll(async () => {
  await t.close();
});

const get = (url: string, role: 'secretariat' | 'auditor' | 'reporter' = 'reporter', headers = {}) =>
  t.as(role, { method: 'GET', url, headers });

describe('reading the projections', () => {
  it('reads its own write with minPosition: the outcome just recorded is on the timeline', async () => {
    const recorded = expectJson<Accepted>(await post(t, `/v1/meetings/${smallGroupId}/outcomes`, outcomes.mosul), 200);
    const res = await get(`/v1/timeline?theatre=mosul&minPosition=${recorded.position}`);
    const timeline = expectJson<Timeline>(res, 200);
    expect(timeline.position).toBeGreaterThanOrEqual(recorded.position);
    expect(timeline.entries.map((e) => e.stage)).toEqual(['verge-of-liberation']);
    expect(res.headers['ledger-stale']).toBeUndefined();
  });

  it('answers with what it has and Ledger-Stale when minPosition is not reached in time', async () => {
    const res = await get(`/v1/agenda?${SINCE_2017}&minPosition=999999&waitMs=50`);
    expect(expectJson<Agenda>(res, 200).meetings.length).toBeGreaterThan(0);
    expect(res.headers['ledger-stale']).toBe('true');
  });

  it('lists meetings by start time, from 30 days ago unless told otherwise', async () => {
    await get(`/v1/agenda?minPosition=${afterPlenary}`);
    expect(expectJson<Agenda>(await get('/v1/agenda'), 200).meetings).toEqual([]);
    const titles = expectJson<Agenda>(await get(`/v1/agenda?${SINCE_2017}`), 200).meetings.map((m) => m.title);
    expect(titles).toEqual([plenary.title, smallGroup.title]);
  });

  it('answers 304 to a matching If-None-Match, with the position in the ETag', async () => {
    const first = await get(`/v1/agenda?${SINCE_2017}`);
    const etag = String(first.headers.etag);
    expect(etag).toContain(String(expectJson<Agenda>(first, 200).position));
    expect((await get(`/v1/agenda?${SINCE_2017}`, 'reporter', { 'if-none-match': etag })).statusCode).toBe(304);
  });

  it('refuses malformed filters with 400', async () => {
    expectProblem(await get('/v1/agenda?from=yesterday'), 400, 'invalid-request');
    expectProblem(await get('/v1/timeline?from=2017-02-30'), 400, 'invalid-request');
    expectProblem(await get('/v1/agenda?status=postponed'), 400, 'invalid-request');
    expectProblem(await get('/v1/attendance?participantId=../etc'), 400, 'invalid-request');
    expectProblem(await get('/v1/agenda?asOf=last-week', 'auditor'), 400, 'invalid-request');
  });
});

describe('asOf: the ledger as it stood then', () => {
  it('answers the agenda as of a position, before the Small Group was scheduled', async () => {
    const res = await get(`/v1/agenda?${SINCE_2017}&asOf=${afterPlenary}`, 'auditor');
    const agenda = expectJson<Agenda>(res, 200);
    expect(agenda.position).toBe(afterPlenary);
    expect(agenda.meetings.map((m) => m.title)).toEqual([plenary.title]);
  });

  it('answers as of a recorded time: nothing before the first event, and says so; everything at the head', async () => {
    const answer = await get(`/v1/agenda?${SINCE_2017}&asOf=2000-01-01T00:00:00Z`, 'secretariat');
    const before = expectJson<Agenda & { notice: string }>(answer, 200);
    expect(before).toEqual({
      position: 0,
      notice: expect.any(String) as string,
      from: '2017-01-01T00:00:00.000Z',
      meetings: [],
      next: null,
    });
    expect(before.notice).toMatch(
      /^asOf 2000-01-01T00:00:00.000Z is before the first event this ledger recorded \(\d{4}-.+Z\): .*position 0.*at=YYYY-MM-DD/,
    );
    expect(answer.headers['ledger-notice']).toBe(before.notice);
    // A position is what the caller chose: nothing to explain, even at 0.
    const atZero = await get(`/v1/agenda?${SINCE_2017}&asOf=0`, 'secretariat');
    expect(expectJson<Agenda>(atZero, 200)).toEqual({
      position: 0,
      from: '2017-01-01T00:00:00.000Z',
      meetings: [],
      next: null,
    });
    expect(atZero.headers['ledger-notice']).toBeUndefined();
    const now = expectJson<Agenda>(await get(`/v1/agenda?${SINCE_2017}&asOf=2999-01-01T00:00:00Z`, 'secretariat'), 200);
    const live = expectJson<Agenda>(await get(`/v1/agenda?${SINCE_2017}&minPosition=${now.position}`), 200);
    expect(now).toEqual(live);
  });

  it('refuses a position past the head with 422 naming the head, for every projection', async () => {
    const head = await t.ledger.store.headPosition();
    for (const path of ['/v1/agenda', '/v1/agenda.ics', '/v1/attendance', '/v1/timeline']) {
      const res = await get(`${path}?asOf=${head + 1}`, 'auditor');
      const problem = expectProblem(res, 422, 'beyond-the-log');
      expect(problem).toMatchObject({
        head,
        detail: `asOf ${head + 1} is past the end of the log, which is at position ${head}`,
      });
    }
    expect((await get(`/v1/timeline?asOf=${head}`, 'auditor')).statusCode).toBe(200);
  });

  it('is for every reader: a reporting job gets the same past state as the auditor', async () => {
    const asReporter = await get(`/v1/timeline?asOf=${afterPlenary}`, 'reporter');
    expect(asReporter.statusCode).toBe(200);
    expect(asReporter.json()).toEqual((await get(`/v1/timeline?asOf=${afterPlenary}`, 'auditor')).json());
  });
});

describe('exports for reporting jobs', () => {
  it('answers Accept: text/csv with a header row and one row per meeting', async () => {
    const res = await get(`/v1/agenda?${SINCE_2017}`, 'reporter', { accept: 'text/csv' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const lines = res.body.trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^"meetingId","title","forum","status","startsAt"/);
    expect(lines).toHaveLength(3);
    expect(lines[2]).toContain(smallGroupId);
  });

  it('answers the timeline and attendance as CSV too', async () => {
    const timeline = await get('/v1/timeline', 'reporter', { accept: 'text/csv' });
    expect(timeline.body.split('\r\n')[0]).toBe(
      '"date","theatre","stage","regression","corrected","kind","summary","meetingId","outcomeId"',
    );
    const attendance = await get('/v1/attendance', 'reporter', { accept: 'text/csv' });
    expect(attendance.headers['content-type']).toMatch(/^text\/csv/);
    expect(attendance.body.split('\r\n')[0]).toMatch(/^"participantId","name","role","meetingId"/);
  });

  it('gives an export its place back when it is sent, so one after another never runs out', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await get('/v1/timeline', 'reporter', { accept: 'text/csv' });
      expect(res.statusCode).toBe(200);
    }
  });

  it('serves the agenda as an iCalendar file with one event per meeting, times in UTC', async () => {
    const res = await get(`/v1/agenda.ics?${SINCE_2017}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/calendar/);
    const unfolded = res.body.replace(/\r\n[ \t]/g, '');
    expect(unfolded.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
    expect(unfolded.match(/^BEGIN:VEVENT$/gm)).toHaveLength(2);
    expect(unfolded).toContain(`UID:${smallGroupId}@meeting-ledger`);
    expect(unfolded).toContain('DTSTART:20170713T130000Z');
    expect(unfolded).toContain('DTEND:20170713T210000Z');
  });
});

describe('pages', () => {
  type Page = Agenda & { next: string | null };
  const page = async (url: string, role: 'secretariat' | 'auditor' | 'reporter' = 'reporter') =>
    expectJson<Page>(await get(url, role), 200);

  it('hands out every meeting once, in order, a page at a time, every page as of the first page’s position', async () => {
    await t.ledger.projections.waitFor('agenda', await t.ledger.store.headPosition(), 5_000);
    const first = await page(`/v1/agenda?${SINCE_2017}&limit=1`);
    expect(first.meetings).toHaveLength(1);
    expect(first.next).toEqual(expect.any(String));
    // A meeting scheduled between the pages starts earlier than both: the pinned position leaves it out.
    const later = await schedule(t, {
      ...plenary,
      title: 'Working group on stabilization',
      startsAt: '2017-07-10T13:00:00Z',
    });
    const second = await page(`/v1/agenda?${SINCE_2017}&limit=1&cursor=${first.next}`);
    expect(second.position).toBe(first.position);
    const rest = second.next ? await page(`/v1/agenda?${SINCE_2017}&limit=5&cursor=${second.next}`) : undefined;
    const paged = [...first.meetings, ...second.meetings, ...(rest?.meetings ?? [])].map((m) => m.meetingId);
    const whole = await page(`/v1/agenda?${SINCE_2017}&asOf=${first.position}`, 'auditor');
    expect(paged).toEqual(whole.meetings.map((m) => m.meetingId));
    expect(paged).not.toContain(later);
    expect(rest?.next ?? second.next).toBeNull();
  });

  it('keeps the filters of the first page: a cursor carries its from', async () => {
    const first = await page(`/v1/agenda?${SINCE_2017}&limit=1`);
    const second = await page(`/v1/agenda?from=2030-01-01T00:00:00Z&limit=1&cursor=${first.next}`);
    expect(second.meetings).toHaveLength(1);
  });

  it('refuses a cursor it did not hand out, or one changed by a letter, with 400', async () => {
    const first = await page(`/v1/agenda?${SINCE_2017}&limit=1`);
    const [payload, mac] = first.next!.split('.');
    const forged = `${Buffer.from(JSON.stringify({ at: 1, after: null })).toString('base64url')}.${mac}`;
    // The MAC's first letter changed: all six of its bits count (its last letter, 'A' one run in 16,
    // carries only four, so a change there could leave the bytes, or the text, as they were).
    const changed = `${payload}.${mac!.startsWith('A') ? 'B' : 'A'}${mac!.slice(1)}`;
    for (const cursor of [forged, changed, 'not-a-cursor', `${payload}`]) {
      expectProblem(await get(`/v1/agenda?${SINCE_2017}&cursor=${cursor}`), 400);
    }
    expectProblem(await get(`/v1/timeline?cursor=${first.next}`), 400, 'invalid-cursor'); // another route's
  });

  it('takes a cursor only on the listing whose page handed it out', async () => {
    // Given two members at the same two meetings, and a first page of each listing of the same shape
    for (const member of [members.unitedStates, members.iraq])
      expect((await post(t, '/v1/members', member)).statusCode).toBe(201);
    const meetings = [
      await schedule(t, { ...plenary, title: 'Political directors', startsAt: '2017-07-11T13:00:00Z' }),
      await schedule(t, { ...plenary, title: 'Ministerial', startsAt: '2017-07-12T09:00:00Z' }),
    ];
    for (const meetingId of meetings) {
      for (const participantId of ['united-states', 'iraq']) {
        expectJson(await post(t, `/v1/meetings/${meetingId}/attendance`, { participantId, status: 'present' }), 200);
      }
    }
    const wait = `minPosition=${await t.ledger.store.headPosition()}`;
    const ours = await page(`/v1/attendance/united-states?${SINCE_2017}&limit=1&${wait}`);
    const agenda = await page(`/v1/agenda?${SINCE_2017}&limit=1`);
    expect(ours.next).toEqual(expect.any(String));

    // When each cursor is given to another listing, then it is refused: another participant's
    // meetings, or the agenda's, keyed alike, would be read from a place their first page never led to
    expectProblem(await get(`/v1/attendance/iraq?${SINCE_2017}&cursor=${ours.next}`), 400, 'invalid-cursor');
    expectProblem(await get(`/v1/attendance/united-states?cursor=${agenda.next}`), 400, 'invalid-cursor');
    expectProblem(await get(`/v1/agenda?cursor=${ours.next}`), 400, 'invalid-cursor');

    // and on its own listing it reads on
    const second = expectJson<{ meetings: { meetingId: string }[] }>(
      await get(`/v1/attendance/united-states?${SINCE_2017}&limit=1&cursor=${ours.next}`),
      200,
    );
    expect(second.meetings.map((m) => m.meetingId)).toEqual([meetings[1]]);
  });

  it('still takes a cursor handed out before cursors named their listing', async () => {
    const first = await page(`/v1/agenda?${SINCE_2017}&limit=1`);
    const cursor = new PageCursors(t.ledger.cursorKey).decode(first.next!, '/v1/agenda');
    const { on: _on, ...unnamed } = cursor;
    const earlier = new PageCursors(t.ledger.cursorKey).encode(unnamed);
    const second = await page(`/v1/agenda?${SINCE_2017}&limit=1&cursor=${earlier}`);
    expect(second.position).toBe(first.position);
  });

  it('lets any reader follow the pages of an asOf read, which stay at that position', async () => {
    const first = await page(`/v1/agenda?${SINCE_2017}&limit=1&asOf=${afterPlenary + 1}`, 'auditor');
    expect(first.next).toEqual(expect.any(String));
    const next = await get(`/v1/agenda?${SINCE_2017}&cursor=${first.next}`, 'reporter');
    expect(next.statusCode).toBe(200);
    expect(next.json<{ position: number }>().position).toBe(afterPlenary + 1);
  });
});

describe('operating the projections', () => {
  it('reports each projection live with its position and lag', async () => {
    const head = await t.ledger.store.headPosition();
    await get(`/v1/attendance?minPosition=${head}`);
    await get(`/v1/timeline?minPosition=${head}`);
    await get(`/v1/agenda?minPosition=${head}`);
    const { projections } = expectJson<{
      projections: { name: string; status: string; position: number; lagEvents: number }[];
    }>(await get('/v1/projections', 'auditor'), 200);
    expect(projections.map((p) => p.name).sort()).toEqual(['agenda', 'attendance', 'timeline']);
    for (const p of projections) expect(p).toMatchObject({ status: 'live', position: head, lagEvents: 0 });
    expect((await get('/readyz')).statusCode).toBe(200);
  });

  it('reports a projection that cannot apply an event as failed, and is not ready until it is fixed', async () => {
    // A stored event of a known type but an impossible shape: the agenda must stop there, not skip it.
    const { position } = await t.ledger.store.appendToStream(`meeting-${smallGroupId}`, [
      {
        eventId: '5f0e4c1e-0000-4000-8000-000000000001',
        type: 'AgendaItemAdded',
        data: { meetingId: smallGroupId },
        metadata: {},
      },
    ]);
    const { projections } = await waitForFailure();
    const agenda = projections.find((p) => p.name === 'agenda');
    expect(agenda).toMatchObject({ status: 'failed', error: { position, eventType: 'AgendaItemAdded' } });
    expect(agenda?.position).toBeLessThan(position);
    expectProblem(await get('/readyz'), 503, 'not-ready');
  });
});

const waitForFailure = async () => {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const body = expectJson<{ projections: { name: string; status: string; position: number; error?: unknown }[] }>(
      await get('/v1/projections', 'secretariat'),
      200,
    );
    if (body.projections.some((p) => p.status === 'failed') || Date.now() > deadline) return body;
    await new Promise((resolve) => setImmediate(resolve));
  }
};
