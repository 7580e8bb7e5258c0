import { afterAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Role } from '../../src/config.js';
import { expectProblem, members, observers, outcomes, post, schedule, smallGroup, watchLog } from './fixtures.js';
import { servedRoutes, type Route } from './routeTable.js';
import { startTestApp, tokens } from './testApp.js';

type Rule = 'public' | 'writers' | 'auditors' | 'allReaders';

/** The operations the OpenAPI document lists, in the router's spelling (`:id`). */
const documentedRoutes = (app: FastifyInstance): Route[] =>
  Object.entries(app.swagger().paths ?? {}).flatMap(([path, item]) =>
    Object.keys(item ?? {}).map((method) => ({
      method: method.toUpperCase(),
      path: path.replace(/\{(\w+)\}/g, ':$1'),
    })),
  );

// Who may call what, as issue 2 pinned it and issue 11 made consistent (README, "Who may read
// what"): every role reads what was recorded (projections, exports, the log and its feed, a
// meeting's stream, asOf); the audit and operations are for the secretariat and auditors. A route
// missing here fails the suite until someone decides.
const expectations: Record<string, Rule> = {
  'GET /healthz': 'public',
  'GET /readyz': 'public',
  'GET /openapi.json': 'public',
  'POST /v1/members': 'writers',
  'POST /v1/meetings': 'writers',
  'POST /v1/meetings/:id/reschedule': 'writers',
  'POST /v1/meetings/:id/cancel': 'writers',
  'POST /v1/meetings/:id/agenda-items': 'writers',
  'POST /v1/meetings/:id/observers': 'writers',
  'POST /v1/meetings/:id/attendance': 'writers',
  'POST /v1/meetings/:id/outcomes': 'writers',
  'POST /v1/meetings/:id/close': 'writers',
  'POST /v1/meetings/:id/outcomes/:outcomeId/amend': 'writers',
  'POST /v1/meetings/:id/outcomes/:outcomeId/retract': 'writers',
  'GET /v1/meetings/:id': 'allReaders',
  'GET /v1/meetings/:id/events': 'allReaders',
  'GET /v1/events': 'allReaders',
  'GET /v1/agenda': 'allReaders',
  'GET /v1/attendance': 'allReaders',
  'GET /v1/attendance/:participantId': 'allReaders',
  'GET /v1/timeline': 'allReaders',
  'GET /v1/projections': 'auditors',
  'GET /v1/agenda.ics': 'allReaders',
  'GET /v1/events/live': 'allReaders',
  'GET /v1/audit/checkpoint': 'auditors',
  'GET /v1/audit/checkpoints': 'auditors',
  'GET /v1/audit/public-key': 'public',
  'POST /v1/audit/checkpoint': 'auditors',
  'GET /v1/audit/proofs/inclusion': 'auditors',
  'GET /v1/audit/proofs/consistency': 'auditors',
  'GET /v1/audit/verify': 'auditors',
  // Operations; a scraper may also hold LEDGER_METRICS_TOKEN (tests/http/metrics.test.ts).
  'GET /metrics': 'auditors',
  // The web console: its page and assets are public, signing in and out is what gives access.
  'GET /': 'public',
  'GET /console/assets/:file': 'public',
  'POST /console/session': 'public',
  'GET /console/session': 'public',
  'DELETE /console/session': 'public',
};

// Some routes cannot simply be called: a stream never ends, a proof needs a tree that exists. An
// allowed caller is shown to pass authorization by reaching the query validation with a malformed
// query (400), which runs only after the access check.
const streaming: Record<string, string> = {
  '/v1/events/live': '?after=-1',
  '/v1/audit/proofs/inclusion': '?position=-1',
  '/v1/audit/proofs/consistency': '?from=-1',
};

// The console's files exist once `npm run build` bundled them (the browser test loads them); here
// only the access check is under test, which lets every caller through to the file lookup.
const consoleFiles = new Set(['/', '/console/assets/:file']);

const ruleFor = ({ method, path }: Route): Rule | undefined => {
  const verb = method === 'HEAD' ? 'GET' : method; // fastify answers HEAD with its GET route
  if (verb === 'GET' && (path === '/docs' || path.startsWith('/docs/'))) return 'public';
  return expectations[`${verb} ${path}`];
};

const allowed: Record<Rule, readonly (Role | null)[]> = {
  public: ['secretariat', 'auditor', 'reporter', null],
  writers: ['secretariat'],
  auditors: ['secretariat', 'auditor'],
  allReaders: ['secretariat', 'auditor', 'reporter'],
};

const validBodies: Record<string, object> = {
  '/console/session': { token: tokens.reporter },
  '/v1/members': members.iraq,
  '/v1/meetings': smallGroup,
  reschedule: { startsAt: '2017-07-13T14:00:00Z' },
  cancel: { reason: 'Postponed' },
  'agenda-items': { title: 'Stabilization support' },
  observers: observers.mnjtf,
  attendance: { participantId: 'iraq', status: 'present' },
  outcomes: outcomes.raqqa,
  close: {},
  amend: { stage: 'liberated', reason: 'Mosul was liberated on 10 July 2017' },
  retract: { reason: 'Recorded twice' },
};

const t = await startTestApp();
const recordOutcome = async (meetingId: string): Promise<string> =>
  (await post(t, `/v1/meetings/${meetingId}/outcomes`, outcomes.mosul)).json<{ outcomeId: string }>().outcomeId;
await t.app.ready();
afterAll(async () => {
  await t.close();
});
const routes = servedRoutes(t.app);
const matrix = routes.flatMap((route) =>
  (['secretariat', 'auditor', 'reporter', null] as const).map((role) => {
    const rule = ruleFor(route);
    const caller = role === null ? 'a caller without a token' : `the ${role}`;
    const call = `${route.method} ${route.path}`;
    const sentence =
      rule === undefined
        ? `has no expectation for ${caller} calling ${call}`
        : allowed[rule].includes(role)
          ? `lets ${caller} call ${call}`
          : `answers ${role === null ? 401 : 403} when ${caller} calls ${call}`;
    return [sentence, { ...route, role }] as const;
  }),
);

describe('the role matrix, built from the app’s own route table', () => {
  it('reads the route table and finds every documented operation in it', () => {
    expect(routes.length).toBeGreaterThan(15);
    const served = new Set(routes.map((r) => `${r.method} ${r.path}`));
    const documented = documentedRoutes(t.app).map((r) => `${r.method} ${r.path}`);
    expect(documented.sort()).toEqual(
      Object.keys(expectations)
        // These serve the document, the console's files and Prometheus: they are not API operations.
        .filter((route) => !['GET /openapi.json', 'GET /', 'GET /console/assets/:file', 'GET /metrics'].includes(route))
        .sort(),
    );
    expect(documented.filter((op) => !served.has(op))).toEqual([]);
  });

  it('has an expectation for every route the app serves', () => {
    expect(routes.filter((route) => ruleFor(route) === undefined)).toEqual([]);
    expect(routes.filter((r) => r.path.startsWith('/v1/')).map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining(Object.keys(expectations).filter((k) => k.includes(' /v1/'))),
    );
  });

  it.each(matrix)('%s', async (_sentence, route) => {
    const rule = ruleFor(route);
    if (rule === undefined) throw new Error(`No access rule expected for ${route.method} ${route.path}`);
    const meetingId = route.path.includes(':id') ? await schedule(t) : '';
    await post(t, '/v1/members', members.iraq);
    const outcomeId = route.path.includes(':outcomeId') ? await recordOutcome(meetingId) : '';
    // A participant's page answers once the projection holds the admission made just above.
    const participant = route.path.includes(':participantId')
      ? `?minPosition=${await t.ledger.store.headPosition()}`
      : '';
    const url =
      route.path
        .replace(':id', meetingId)
        .replace(':outcomeId', outcomeId)
        .replace(':participantId', 'iraq')
        .replace(':file', 'main-ABCDEF12.js')
        .replace('*', 'static/swagger-ui.css') + (streaming[route.path] ?? participant);
    const command = route.path.startsWith('/v1/meetings/') ? (route.path.split('/').at(-1) ?? '') : route.path;
    const log = await watchLog(t);
    const res = await t.as(route.role, {
      method: route.method,
      url,
      ...(route.method === 'POST' && { payload: validBodies[command] ?? {} }),
    });
    if (allowed[rule].includes(route.role) && streaming[route.path] !== undefined) {
      // The live feed serves no HEAD (it would hold a subscription open to send nothing).
      expect(res.statusCode, res.body).toBe(route.method === 'HEAD' && route.path === '/v1/events/live' ? 404 : 400);
      return;
    }
    if (allowed[rule].includes(route.role) && consoleFiles.has(route.path)) {
      expect([200, 404], res.body).toContain(res.statusCode);
      return;
    }
    if (allowed[rule].includes(route.role)) {
      expect(res.statusCode, res.body).toBeGreaterThanOrEqual(200);
      expect(res.statusCode, res.body).toBeLessThan(400);
      return;
    }
    if (route.method === 'HEAD') expect(res.statusCode).toBe(route.role === null ? 401 : 403);
    else expectProblem(res, route.role === null ? 401 : 403, route.role === null ? 'unauthorized' : 'forbidden');
    await log.expectUnchanged();
  });
});

/** The operations whose query takes `asOf`, from the OpenAPI document: history inside a route. */
const historyReads = (app: FastifyInstance): string[] =>
  Object.entries(app.swagger().paths ?? {}).flatMap(([path, item]) =>
    Object.entries(item ?? {}).flatMap(([method, operation]) => {
      const parameters = (operation as { parameters?: { name: string }[] }).parameters ?? [];
      return method === 'get' && parameters.some((p) => p.name === 'asOf')
        ? [path.replace('{participantId}', 'iraq')]
        : [];
    }),
  );

describe('history inside a route: asOf, and the pages that follow an asOf read, for every reader', () => {
  const readers = ['secretariat', 'auditor', 'reporter'] as const;
  const history = historyReads(t.app);

  it('finds every projection read in the document', () => {
    expect(history.sort()).toEqual(
      ['/v1/agenda', '/v1/agenda.ics', '/v1/attendance', '/v1/attendance/iraq', '/v1/timeline'].sort(),
    );
  });

  it.each(history.flatMap((path) => readers.map((role) => [path, role] as const)))(
    'serves %s?asOf= to the %s, as it serves the feed',
    async (path, role) => {
      await post(t, '/v1/members', members.iraq);
      const head = await t.ledger.store.headPosition();
      const res = await t.as(role, { method: 'GET', url: `${path}?asOf=${head}` });
      expect(res.statusCode, res.body).toBe(200);
      // The same read of the current state is for every role.
      const now = await t.as(role, { method: 'GET', url: `${path}?minPosition=${head}` });
      expect(now.statusCode, now.body).toBe(200);
    },
  );

  it.each(readers)('serves the next page of an asOf read to the %s', async (role) => {
    await schedule(t);
    await schedule(t);
    const head = await t.ledger.store.headPosition();
    const first = await t.as('auditor', {
      method: 'GET',
      url: `/v1/agenda?asOf=${head}&from=2017-01-01T00:00:00Z&limit=1`,
    });
    const next = first.json<{ next: string | null }>().next;
    expect(next).not.toBeNull();
    const res = await t.as(role, { method: 'GET', url: `/v1/agenda?cursor=${next}` });
    expect(res.statusCode, res.body).toBe(200);
  });
});

describe('401: who is calling cannot be told', () => {
  const malformed: [string, Record<string, string>][] = [
    ['no Authorization header', {}],
    ['an unknown token', { authorization: 'Bearer not-a-token-of-this-ledger' }],
    ['a token of another role with a changed letter', { authorization: `Bearer ${tokens.secretariat.slice(0, -1)}X` }],
    ['Basic credentials', { authorization: `Basic ${Buffer.from('secretariat:x').toString('base64')}` }],
    ['a bare token', { authorization: tokens.secretariat }],
    ['Bearer with nothing after it', { authorization: 'Bearer ' }],
    ['two tokens', { authorization: `Bearer ${tokens.secretariat} ${tokens.secretariat}` }],
    ['a 100 kB token', { authorization: `Bearer ${'x'.repeat(100 * 1024)}` }],
  ];

  it.each(malformed)('refuses a request with %s with 401 problem+json and appends nothing', async (_name, headers) => {
    const log = await watchLog(t);
    const res = await t.app.inject({ method: 'POST', url: '/v1/members', headers, payload: members.france });
    expectProblem(res, 401, 'unauthorized');
    await log.expectUnchanged();
  });

  it('checks the token before it reads the body', async () => {
    const res = await t.as('auditor', {
      method: 'POST',
      url: '/v1/members',
      headers: { 'content-type': 'application/json' },
      payload: '{not json',
    });
    expectProblem(res, 403, 'forbidden');
    expectProblem(
      await t.as(null, { method: 'POST', url: '/v1/members', headers: { 'content-type': 'text/plain' }, payload: 'x' }),
      401,
      'unauthorized',
    );
  });

  it('accepts the Bearer scheme in any case', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/v1/agenda',
      headers: { authorization: `bearer ${tokens.reporter}` },
    });
    expect(res.statusCode).toBe(200);
  });
});
