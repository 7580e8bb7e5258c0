import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import createClient from 'openapi-fetch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { paths } from './openapi.generated.js';
import { clientTypesOf } from './openapiTypes.js';
import { schedule } from './fixtures.js';
import { servedRoutes } from './routeTable.js';
import { startTestApp, tokens, type TestApp } from './testApp.js';

type Operation = { operationId?: string; security?: unknown[]; responses: Record<string, Answer> };
type Answer = { content?: Record<string, { schema: object }> };
type Document = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, object> } };

let t: TestApp;
let document: Document;
let baseUrl: string;
let meetingId: string;

beforeAll(async () => {
  t = await startTestApp();
  meetingId = await schedule(t);
  document = (await t.app.inject({ url: '/openapi.json' })).json<Document>();
  baseUrl = await t.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(() => t.close());

const operations = () =>
  Object.entries(document.paths).flatMap(([path, byMethod]) =>
    Object.entries(byMethod).map(([method, operation]) => ({ path, method, operation })),
  );

/** Checks an answer against the schema the document gives for its status and media type. */
const conforms = (path: string, method: string, status: number, body: unknown) => {
  const answer = document.paths[path]?.[method]?.responses[String(status)];
  const type = status < 400 ? 'application/json' : 'application/problem+json';
  const schema = answer?.content?.[type]?.schema;
  expect(schema, `${method} ${path} ${status} is documented as ${type}`).toBeDefined();
  // Formats (date-time) are not checked: Ajv needs ajv-formats for them, and the shapes are the point.
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  // The document's components beside the schema, so that its #/components/... references resolve.
  const validate = ajv.compile({ ...schema, components: document.components });
  expect(validate(body) ? [] : validate.errors, `${method} ${path}`).toEqual([]);
};

describe('the OpenAPI document', () => {
  it('documents every served route with an operationId, an answer and its errors as problem documents', () => {
    const documented = new Set(operations().map(({ path, method }) => `${method.toUpperCase()} ${path}`));
    const served = servedRoutes(t.app)
      .filter(({ method }) => method !== 'HEAD' && method !== 'OPTIONS')
      .filter(({ path }) => path.startsWith('/v1') || ['/healthz', '/readyz', '/console/session'].includes(path))
      .map(({ method, path }) => `${method} ${path.replace(/:(\w+)/g, '{$1}')}`);
    expect(served.filter((route) => !documented.has(route))).toEqual([]);
    const ids = operations().map(({ operation }) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { path, method, operation } of operations()) {
      expect(operation.operationId, `${method} ${path}`).toMatch(/^[a-z][A-Za-z0-9]+$/);
      const statuses = Object.keys(operation.responses).map(Number);
      expect(
        statuses.some((s) => s < 300),
        `${method} ${path} has a success answer`,
      ).toBe(true);
      for (const status of statuses.filter((s) => s >= 400)) {
        expect(Object.keys(operation.responses[status]?.content ?? {}), `${method} ${path} ${status}`).toEqual([
          'application/problem+json',
        ]);
      }
    }
  });

  it('asks no token of the probes, and a bearer token of every /v1 route but the public key', () => {
    const open = operations()
      .filter(({ operation }) => operation.security?.length === 0)
      .map(({ path, method }) => `${method.toUpperCase()} ${path}`);
    expect(open.sort()).toEqual(
      [
        'DELETE /console/session',
        'GET /console/session',
        'GET /healthz',
        'GET /readyz',
        'GET /v1/audit/public-key',
        'POST /console/session',
      ].sort(),
    );
  });

  it('names the media types of the exports and the live feed', () => {
    const typesOf = (path: string) => Object.keys(document.paths[path]?.get?.responses['200']?.content ?? {});
    expect(typesOf('/v1/agenda')).toEqual(['application/json', 'text/csv']);
    expect(typesOf('/v1/attendance')).toEqual(['application/json', 'text/csv']);
    expect(typesOf('/v1/timeline')).toEqual(['application/json', 'text/csv']);
    expect(typesOf('/v1/agenda.ics')).toEqual(['text/calendar']);
    expect(typesOf('/v1/events/live')).toEqual(['text/event-stream']);
  });

  it('documents the refusals every route really gives: no token, the wrong role, an unknown parameter', async () => {
    const concrete = (path: string) =>
      path.replace('{participantId}', 'african-union').replace(/\{\w+\}/g, '01BX5ZZKBKACTAV9WEVGEMMVRZ');
    const refusals: string[] = [];
    for (const { path, method, operation } of operations()) {
      const url = concrete(path);
      const as = (role: 'reporter' | 'secretariat' | null, query = '') =>
        t.as(role, { method: method.toUpperCase(), url: `${url}${query}`, payload: {} });
      // An accepted live feed never ends: it is asked only without a token.
      const tries =
        path === '/v1/events/live' ? [as(null)] : [as(null), as('reporter'), as('secretariat', '?unknown=1')];
      for (const answer of await Promise.all(tries)) {
        if (answer.statusCode < 400) continue;
        const seen = `${method} ${path} ${answer.statusCode}`;
        refusals.push(seen);
        expect(Object.keys(operation.responses), seen).toContain(String(answer.statusCode));
        expect(answer.headers['content-type'], seen).toMatch(/^application\/problem\+json/);
      }
    }
    expect(refusals.some((refusal) => refusal.endsWith(' 401'))).toBe(true);
    expect(refusals.some((refusal) => refusal.endsWith(' 403'))).toBe(true);
  });

  it('is the source of the committed client types (npm run openapi:types regenerates them)', async () => {
    const committed = readFileSync(new URL('./openapi.generated.d.ts', import.meta.url), 'utf8');
    expect(await clientTypesOf(document)).toBe(committed);
  });
});

describe('a client typed from the document, against the real app', () => {
  const client = () => createClient<paths>({ baseUrl, headers: { authorization: `Bearer ${tokens.auditor}` } });

  it('gets answers that match the documented schemas from every JSON read', async () => {
    const api = client();
    const reads = [
      ['/healthz', await api.GET('/healthz')],
      ['/readyz', await api.GET('/readyz')],
      ['/console/session', await api.GET('/console/session')],
      ['/v1/meetings/{id}', await api.GET('/v1/meetings/{id}', { params: { path: { id: meetingId } } })],
      ['/v1/meetings/{id}/events', await api.GET('/v1/meetings/{id}/events', { params: { path: { id: meetingId } } })],
      ['/v1/events', await api.GET('/v1/events', { params: { query: { limit: 5 } } })],
      ['/v1/agenda', await api.GET('/v1/agenda', { params: { query: { from: '2017-01-01T00:00:00Z' } } })],
      ['/v1/attendance', await api.GET('/v1/attendance')],
      ['/v1/timeline', await api.GET('/v1/timeline')],
      ['/v1/projections', await api.GET('/v1/projections')],
      ['/v1/audit/checkpoint', await api.GET('/v1/audit/checkpoint')],
      ['/v1/audit/checkpoints', await api.GET('/v1/audit/checkpoints', { params: { query: { limit: 5 } } })],
      ['/v1/audit/public-key', await api.GET('/v1/audit/public-key')],
      [
        '/v1/audit/proofs/inclusion',
        await api.GET('/v1/audit/proofs/inclusion', { params: { query: { position: 1, treeSize: 1 } } }),
      ],
      [
        '/v1/audit/proofs/consistency',
        await api.GET('/v1/audit/proofs/consistency', { params: { query: { from: 1, to: 1 } } }),
      ],
      ['/v1/audit/verify', await api.GET('/v1/audit/verify')],
    ] as const;
    for (const [path, { response, data }] of reads) {
      expect(response.status, path).toBe(200);
      conforms(path, 'get', 200, data);
    }
  });

  it('calls every operation in the document, each answering as documented', async () => {
    const secretariat = createClient<paths>({ baseUrl, headers: { authorization: `Bearer ${tokens.secretariat}` } });
    const auditor = client();
    const id = meetingId;
    const outcome = await secretariat.POST('/v1/meetings/{id}/outcomes', {
      params: { path: { id } },
      body: { kind: 'assessment', summary: 'Mosul is on the verge of liberation', theatre: 'mosul' },
    });
    const outcomeId = outcome.data?.outcomeId ?? '';
    const meeting = { params: { path: { id } } };
    let plenaryId = '';
    const calls: Record<string, () => Promise<{ response: Response; data?: unknown; error?: unknown }>> = {
      postV1MeetingsIdOutcomes: async () => outcome,
      postV1Members: () =>
        secretariat.POST('/v1/members', { body: { memberId: 'iraq', name: 'Republic of Iraq', kind: 'state' } }),
      postV1Meetings: async () => {
        const scheduled = await secretariat.POST('/v1/meetings', {
          body: { title: 'Plenary', forum: 'plenary', startsAt: '2017-07-12T13:00:00Z', location: 'Washington, DC' },
        });
        plenaryId = scheduled.data?.meetingId ?? '';
        return scheduled;
      },
      postV1MeetingsIdReschedule: () =>
        secretariat.POST('/v1/meetings/{id}/reschedule', { ...meeting, body: { startsAt: '2017-07-13T14:00:00Z' } }),
      postV1MeetingsIdAgendaItems: () =>
        secretariat.POST('/v1/meetings/{id}/agenda-items', { ...meeting, body: { title: 'Stabilization' } }),
      postV1MeetingsIdObservers: () =>
        secretariat.POST('/v1/meetings/{id}/observers', {
          ...meeting,
          body: { observerId: 'african-union', name: 'African Union', kind: 'organization' },
        }),
      postV1MeetingsIdAttendance: () =>
        secretariat.POST('/v1/meetings/{id}/attendance', {
          ...meeting,
          body: { participantId: 'african-union', status: 'present' },
        }),
      postV1MeetingsIdOutcomesOutcomeIdAmend: () =>
        secretariat.POST('/v1/meetings/{id}/outcomes/{outcomeId}/amend', {
          params: { path: { id, outcomeId } },
          body: { stage: 'liberated', reason: 'Liberation announced on 10 July' },
        }),
      postV1MeetingsIdOutcomesOutcomeIdRetract: () =>
        secretariat.POST('/v1/meetings/{id}/outcomes/{outcomeId}/retract', {
          params: { path: { id, outcomeId } },
          body: { reason: 'Recorded twice' },
        }),
      postV1MeetingsIdClose: () => secretariat.POST('/v1/meetings/{id}/close', { ...meeting, body: {} }),
      postV1MeetingsIdCancel: () =>
        secretariat.POST('/v1/meetings/{id}/cancel', {
          params: { path: { id: plenaryId } },
          body: { reason: 'Postponed' },
        }),
      getV1MeetingsId: () => auditor.GET('/v1/meetings/{id}', meeting),
      getV1MeetingsIdEvents: () => auditor.GET('/v1/meetings/{id}/events', meeting),
      getV1Events: () => auditor.GET('/v1/events'),
      getV1Agenda: () => auditor.GET('/v1/agenda', { params: { query: { from: '2017-01-01T00:00:00Z' } } }),
      getV1AgendaIcs: () => auditor.GET('/v1/agenda.ics', { parseAs: 'text' }),
      getV1Attendance: () => auditor.GET('/v1/attendance'),
      getV1AttendanceParticipantId: () =>
        auditor.GET('/v1/attendance/{participantId}', { params: { path: { participantId: 'african-union' } } }),
      getV1Timeline: () => auditor.GET('/v1/timeline', { headers: { accept: 'text/csv' }, parseAs: 'text' }),
      getV1Projections: () => auditor.GET('/v1/projections'),
      getV1EventsLive: async () => {
        const stop = new AbortController();
        const answer = await auditor.GET('/v1/events/live', { parseAs: 'stream', signal: stop.signal });
        stop.abort();
        return { response: answer.response };
      },
      postV1AuditCheckpoint: () => auditor.POST('/v1/audit/checkpoint'),
      getV1AuditCheckpoint: () => auditor.GET('/v1/audit/checkpoint'),
      getV1AuditCheckpoints: () => auditor.GET('/v1/audit/checkpoints'),
      getV1AuditPublicKey: () => auditor.GET('/v1/audit/public-key'),
      getV1AuditProofsInclusion: () =>
        auditor.GET('/v1/audit/proofs/inclusion', { params: { query: { position: 1, treeSize: 1 } } }),
      getV1AuditProofsConsistency: () =>
        auditor.GET('/v1/audit/proofs/consistency', { params: { query: { from: 1, to: 1 } } }),
      getV1AuditVerify: () => auditor.GET('/v1/audit/verify'),
      getHealthz: () => auditor.GET('/healthz'),
      getReadyz: () => auditor.GET('/readyz'),
      postConsoleSession: () => auditor.POST('/console/session', { body: { token: tokens.reporter } }),
      getConsoleSession: () => auditor.GET('/console/session'),
      deleteConsoleSession: () => auditor.DELETE('/console/session'),
    };
    expect(Object.keys(calls).sort()).toEqual(
      operations()
        .map(({ operation }) => operation.operationId)
        .sort(),
    );
    // In the order written above: a meeting is amended before it is closed, and closed before it is cancelled.
    for (const [operationId, call] of Object.entries(calls)) {
      const { path, method, operation } = operations().find(({ operation }) => operation.operationId === operationId)!;
      const { response, data, error } = await call();
      const documented = operation.responses[String(response.status)];
      expect(documented, `${method} ${path} answered ${response.status}: ${JSON.stringify(error)}`).toBeDefined();
      expect(response.status, `${method} ${path}: ${JSON.stringify(error)}`).toBeLessThan(300);
      const type = (response.headers.get('content-type') ?? '').split(';')[0]!;
      if (response.status !== 204) expect(Object.keys(documented?.content ?? {}), `${method} ${path}`).toContain(type);
      if (type === 'application/json') conforms(path, method, response.status, data);
    }
  });

  it('gets a documented problem document for a refusal', async () => {
    const { response, error } = await client().GET('/v1/meetings/{id}', {
      params: { path: { id: '01BX5ZZKBKACTAV9WEVGEMMVRZ' } },
    });
    expect(response.status).toBe(404);
    conforms('/v1/meetings/{id}', 'get', 404, error);
  });
});
