import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { expectProblem, members, post, smallGroup } from './fixtures.js';
import { startTestApp, tokens, type TestApp } from './testApp.js';

const METRICS_TOKEN = 'metrics-scrape-token-0123456789';
const INFO = 30;
const DEBUG = 20;

type Line = { level: number; msg: string; reqId?: string; [field: string]: unknown };

const written: string[] = [];
/** Every line of the file's requests (`written` is emptied before each test). */
const everything: string[] = [];
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp(
    { LEDGER_METRICS_TOKEN: METRICS_TOKEN },
    {
      logTo: { write: (line) => void (written.push(line), everything.push(line)) },
    },
  );
});
afterAll(async () => {
  await t.close();
  // Whatever was logged in this file, no token of any kind is in it.
  expect(everything.length).toBeGreaterThan(10);
  for (const secret of [...Object.values(tokens), METRICS_TOKEN]) expect(everything.join('')).not.toContain(secret);
});
beforeEach(() => {
  written.length = 0;
});

const lines = (): Line[] => written.map((line) => JSON.parse(line) as Line);
/** The lines at info or above: what an operator sees at the default LOG_LEVEL. */
const atInfo = () => lines().filter((line) => line.level >= INFO);

describe('the request log', () => {
  it('writes one info line for a command: route, status, duration, actor, events appended, request id', async () => {
    const res = await post(t, '/v1/meetings', smallGroup);
    expect(res.statusCode).toBe(201);
    expect(atInfo()).toEqual([
      {
        level: INFO,
        time: expect.any(Number),
        pid: expect.any(Number),
        hostname: expect.any(String),
        reqId: res.headers['x-request-id'],
        method: 'POST',
        route: '/v1/meetings',
        status: 201,
        durationMs: expect.any(Number),
        actor: expect.stringMatching(/^secretariat#env_[\w-]{22}$/),
        events: 1,
        msg: 'request completed',
      },
    ]);
  });

  it('gives the route pattern, not the path, and no events for a command that changed nothing', async () => {
    await post(t, '/v1/members', members.iraq);
    written.length = 0;
    const res = await post(t, '/v1/members', members.iraq);
    expect(res.statusCode).toBe(200);
    const meeting = await post(t, '/v1/meetings', smallGroup);
    const { meetingId } = meeting.json<{ meetingId: string }>();
    written.length = 0;
    await post(t, `/v1/meetings/${meetingId}/agenda-items`, { title: 'Stabilization support' });
    expect(atInfo().map(({ route, events }) => ({ route, events }))).toEqual([
      { route: '/v1/meetings/:id/agenda-items', events: 1 },
    ]);
    expect(written.join('')).not.toContain(meetingId);
  });

  it('writes one info line for a refusal, with its problem code and nothing appended', async () => {
    const res = await post(t, '/v1/meetings', { ...smallGroup, startsAt: 'tomorrow' });
    expectProblem(res, 400, 'invalid-request');
    expect(atInfo()).toEqual([
      expect.objectContaining({
        route: '/v1/meetings',
        status: 400,
        problem: 'invalid-request',
        events: 0,
        actor: expect.stringMatching(/^secretariat#/),
      }),
    ]);
  });

  it('names the reader of a read (no events field), and no actor for a caller without a token', async () => {
    await t.as('reporter', { method: 'GET', url: '/v1/events' });
    await t.as(null, { method: 'GET', url: '/v1/events' });
    const [read, refused, ...rest] = atInfo();
    expect(rest).toEqual([]);
    expect(read).toMatchObject({
      method: 'GET',
      route: '/v1/events',
      status: 200,
      actor: expect.stringMatching(/^reporter#/),
    });
    expect(read).not.toHaveProperty('events');
    expect(refused).toMatchObject({ route: '/v1/events', status: 401, problem: 'unauthorized' });
    expect(refused).not.toHaveProperty('actor');
  });

  it('gives the path of a request no route matched', async () => {
    await t.as('reporter', { method: 'GET', url: '/v1/nowhere?x=1' });
    expect(atInfo()).toEqual([expect.objectContaining({ path: '/v1/nowhere', status: 404, problem: 'not-found' })]);
  });

  it('writes probes at debug only: /healthz, /readyz and /metrics add nothing at info', async () => {
    await t.ledger.follower.caughtUp;
    expect((await t.as(null, { method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await t.as(null, { method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    const scrape = { authorization: `Bearer ${METRICS_TOKEN}` };
    expect((await t.app.inject({ method: 'GET', url: '/metrics', headers: scrape })).statusCode).toBe(200);
    expect(atInfo()).toEqual([]);
    const completed = lines().filter((line) => line.msg === 'request completed');
    expect(completed.map(({ level, route }) => ({ level, route }))).toEqual([
      { level: DEBUG, route: '/healthz' },
      { level: DEBUG, route: '/readyz' },
      { level: DEBUG, route: '/metrics' },
    ]);
  });

  // Last in this file: the projections are reset and no longer fed.
  it('writes a probe answered 503 not-ready at debug, with no error line and no stack', async () => {
    await t.ledger.follower.stop();
    t.ledger.projections.reset();
    expectProblem(await t.as(null, { method: 'GET', url: '/readyz' }), 503, 'not-ready');
    expect(atInfo()).toEqual([]);
    expect(lines().map(({ level, msg, status, problem }) => ({ level, msg, status, problem }))).toEqual([
      { level: DEBUG, msg: 'request received', status: undefined, problem: undefined },
      { level: DEBUG, msg: 'request completed', status: 503, problem: 'not-ready' },
    ]);
  });
});
