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

  it('gets a documented problem document for a refusal', async () => {
    const { response, error } = await client().GET('/v1/meetings/{id}', {
      params: { path: { id: '01BX5ZZKBKACTAV9WEVGEMMVRZ' } },
    });
    expect(response.status).toBe(404);
    conforms('/v1/meetings/{id}', 'get', 404, error);
  });
});
