import { afterEach, describe, expect, it } from 'vitest';
import { commandResultOf } from '../../src/metrics/ledgerMetrics.js';
import { expectProblem, members, post, schedule, smallGroup } from './fixtures.js';
import { startTestApp, tokens, type TestApp } from './testApp.js';

const METRICS_TOKEN = 'metrics-scrape-token-0123456789';
const PORT = 4251;

type Sample = { name: string; labels: Record<string, string>; value: number };

/** The samples of a Prometheus text exposition (comments skipped; label values hold no escapes here). */
const parseExposition = (text: string): Sample[] =>
  text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`not a sample: ${line}`);
      const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
      return { name: match[1] ?? '', labels, value: Number(match[3]) };
    });

/** The value of the one sample with this name and exactly these labels; undefined when there is none. */
const valueOf = (samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined => {
  const found = samples.filter(
    (s) =>
      s.name === name &&
      JSON.stringify(Object.entries(s.labels).sort()) === JSON.stringify(Object.entries(labels).sort()),
  );
  expect(found.length, `${name} ${JSON.stringify(labels)}`).toBeLessThanOrEqual(1);
  return found[0]?.value;
};

const scrape = async (t: TestApp): Promise<Sample[]> => {
  const res = await t.app.inject({
    method: 'GET',
    url: '/metrics',
    headers: { authorization: `Bearer ${METRICS_TOKEN}` },
  });
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(res.body);
};

/** Waits, within a bound, until `condition` holds. */
const until = async (condition: () => boolean | Promise<boolean>, what: string, withinMs = 5_000): Promise<void> => {
  const deadline = Date.now() + withinMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('GET /metrics', () => {
  it('counts commands by type and outcome, and times appends and group commits', async () => {
    t = await startTestApp({ LEDGER_METRICS_TOKEN: METRICS_TOKEN });
    const app = t;
    expect((await post(app, '/v1/members', members.iraq)).statusCode).toBe(201);
    expect((await post(app, '/v1/members', members.iraq)).statusCode).toBe(200); // changes nothing
    const key = { 'idempotency-key': 'admit-france' };
    expect((await post(app, '/v1/members', members.france, key)).statusCode).toBe(201);
    expect((await post(app, '/v1/members', members.france, key)).headers['idempotent-replayed']).toBe('true');
    const meetingId = await schedule(app);
    expectProblem(await post(app, '/v1/meetings', { ...smallGroup, startsAt: 'tomorrow' }), 400, 'invalid-request');
    const stale = { 'if-match': '"7"' };
    const moved = { startsAt: '2017-07-14T13:00:00Z', reason: 'moved' };
    expectProblem(await post(app, `/v1/meetings/${meetingId}/reschedule`, moved, stale), 412, 'precondition-failed');
    const missing = '/v1/meetings/01ARZ3NDEKTSV4RRFFQ69G5FAV/agenda-items';
    expectProblem(await post(app, missing, { title: 'Lake Chad' }), 404, 'meeting-not-found');
    expectProblem(await app.as('reporter', { method: 'POST', url: '/v1/members', payload: members.iraq }), 403);

    const samples = await scrape(app);
    const commands = (labels: Record<string, string>) => valueOf(samples, 'ledger_commands_total', labels);
    expect(commands({ command: 'AdmitMember', outcome: 'accepted' })).toBe(3);
    expect(commands({ command: 'AdmitMember', outcome: 'replayed' })).toBe(1);
    expect(commands({ command: 'AdmitMember', outcome: 'refused', problem: 'forbidden' })).toBe(1);
    expect(commands({ command: 'ScheduleMeeting', outcome: 'accepted' })).toBe(1);
    expect(commands({ command: 'ScheduleMeeting', outcome: 'refused', problem: 'invalid-request' })).toBe(1);
    expect(commands({ command: 'RescheduleMeeting', outcome: 'conflict', problem: 'precondition-failed' })).toBe(1);
    expect(commands({ command: 'AddAgendaItem', outcome: 'refused', problem: 'meeting-not-found' })).toBe(1);
    const counted = samples.filter((s) => s.name === 'ledger_commands_total').reduce((sum, s) => sum + s.value, 0);
    expect(counted).toBe(9);
    // Four appends reached the store (the replay, the refusals and the stale If-Match never did).
    expect(valueOf(samples, 'ledger_append_duration_seconds_count')).toBe(4);
    expect(valueOf(samples, 'ledger_append_duration_seconds_bucket', { le: '+Inf' })).toBe(4);
    // Sequential requests: each append is its own commit; the commits wrote every event of the log.
    expect(valueOf(samples, 'ledger_group_commit_duration_seconds_count')).toBe(4);
    expect(valueOf(samples, 'ledger_events_per_commit_count')).toBe(4);
    expect(valueOf(samples, 'ledger_events_per_commit_sum')).toBe(await app.eventCount());
    expect(valueOf(samples, 'ledger_events_per_commit_sum')).toBe(3);
    expect(valueOf(samples, 'ledger_events_per_commit_bucket', { le: '1' })).toBe(4);
    expect(valueOf(samples, 'ledger_store_up')).toBe(1);
  });

  it('shows the projections lag in events and seconds, and the audit tree as it grows', async () => {
    t = await startTestApp({ LEDGER_METRICS_TOKEN: METRICS_TOKEN });
    const app = t;
    await app.ledger.follower.caughtUp;
    await app.ledger.follower.stop(); // nothing is applied from now on: the lag is what is appended
    await post(app, '/v1/members', members.iraq);
    await schedule(app);
    const behind = await scrape(app);
    const names = behind.filter((s) => s.name === 'ledger_projection_lag_events').map((s) => s.labels.projection);
    expect(names.length).toBeGreaterThan(0);
    for (const projection of names) {
      expect(valueOf(behind, 'ledger_projection_lag_events', { projection: projection ?? '' })).toBe(2);
      expect(valueOf(behind, 'ledger_projection_lag_seconds', { projection: projection ?? '' })).toBeGreaterThanOrEqual(
        0,
      );
    }
    expect(valueOf(behind, 'ledger_audit_tree_size')).toBe(0);
    // The empty tree was signed when the audit log caught up at start.
    const age = valueOf(behind, 'ledger_audit_last_checkpoint_age_seconds');
    expect(age).toBeGreaterThanOrEqual(0);
    expect(age).toBeLessThan(60);
  });

  it('shows the audit tree size and no lag once the log is followed', async () => {
    t = await startTestApp({ LEDGER_METRICS_TOKEN: METRICS_TOKEN });
    const app = t;
    await post(app, '/v1/members', members.iraq);
    await schedule(app);
    await until(
      () => app.ledger.audit.treeSize === 2 && app.ledger.projections.position() === app.ledger.audit.position(),
      'the follower',
    );
    const samples = await scrape(app);
    expect(valueOf(samples, 'ledger_audit_tree_size')).toBe(2);
    for (const sample of samples.filter((s) => s.name === 'ledger_projection_lag_events')) expect(sample.value).toBe(0);
  });

  it("includes Node's event-loop delay and process metrics", async () => {
    t = await startTestApp({ LEDGER_METRICS_TOKEN: METRICS_TOKEN });
    const names = new Set((await scrape(t)).map((s) => s.name));
    expect(names).toContain('nodejs_eventloop_lag_seconds');
    expect(names).toContain('nodejs_eventloop_lag_p99_seconds');
    expect(names).toContain('process_resident_memory_bytes');
  });

  it('counts the clients following the live feed', async () => {
    t = await startTestApp({ LEDGER_METRICS_TOKEN: METRICS_TOKEN });
    const app = t;
    const address = await app.app.listen({ port: PORT, host: '127.0.0.1' });
    const leave = new AbortController();
    const response = await fetch(`${address}/v1/events/live`, {
      headers: { authorization: `Bearer ${tokens.reporter}` },
      signal: leave.signal,
    });
    expect(response.status).toBe(200);
    const sseClients = async () => valueOf(await scrape(app), 'ledger_sse_clients');
    expect(await sseClients()).toBe(1);
    leave.abort();
    await until(async () => (await sseClients()) === 0, 'the client to be counted out');
    app.app.server.closeAllConnections(); // fetch keeps its connection alive, which would hold close()
  });

  it('is refused without a token, to a reporter, and to a wrong token; the scrape token opens nothing else', async () => {
    t = await startTestApp({ LEDGER_METRICS_TOKEN: METRICS_TOKEN });
    const app = t;
    expectProblem(await app.as(null, { method: 'GET', url: '/metrics' }), 401, 'unauthorized');
    expectProblem(await app.as('reporter', { method: 'GET', url: '/metrics' }), 403, 'forbidden');
    const wrong = { authorization: `Bearer ${METRICS_TOKEN}x` };
    expectProblem(await app.app.inject({ method: 'GET', url: '/metrics', headers: wrong }), 401, 'unauthorized');
    const scraper = { authorization: `Bearer ${METRICS_TOKEN}` };
    expectProblem(await app.app.inject({ method: 'GET', url: '/v1/events', headers: scraper }), 401, 'unauthorized');
    expect((await app.as('auditor', { method: 'GET', url: '/metrics' })).statusCode).toBe(200);
    expect((await app.as('secretariat', { method: 'GET', url: '/metrics' })).statusCode).toBe(200);
  });

  it('accepts no scrape token when none is configured', async () => {
    t = await startTestApp();
    const scraper = { authorization: `Bearer ${METRICS_TOKEN}` };
    expectProblem(await t.app.inject({ method: 'GET', url: '/metrics', headers: scraper }), 401, 'unauthorized');
  });
});

describe('commandResultOf', () => {
  it('tells accepted, replayed, refused, conflict and failed apart', () => {
    expect(commandResultOf(201, undefined, false)).toBe('accepted');
    expect(commandResultOf(200, undefined, true)).toBe('replayed');
    expect(commandResultOf(422, 'meeting-not-open', false)).toBe('refused');
    expect(commandResultOf(409, 'concurrency-conflict', false)).toBe('conflict');
    expect(commandResultOf(412, 'precondition-failed', true)).toBe('conflict');
    expect(commandResultOf(503, 'store-unavailable', false)).toBe('failed');
  });
});
