import swagger, { type SwaggerTransform } from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifySchema } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { PROBLEM_JSON } from './problem.js';
import { documentedAnswers, type DocumentedAnswer } from './openapiResponses.js';

const problemSchema = {
  type: 'object',
  description: 'RFC 9457 problem details; extension members (errors, currentRevision, ...) depend on the type',
  properties: {
    type: { type: 'string', description: 'urn:meeting-ledger:problem:<code>' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
  },
  required: ['type', 'title', 'status'],
  additionalProperties: true,
};

const problemAnswers: Record<number, string> = {
  400: 'The request does not match the schema, or a header or cursor is malformed',
  401: 'No valid token or console session',
  403: 'The role may not do this',
  404: 'No such meeting, participant, event or checkpoint',
  409: 'The command conflicts with the stream as it is (or its Idempotency-Key was used for another request)',
  412: 'If-Match names another revision than the current one',
  413: 'The body is larger than the limit',
  415: 'The body is not JSON',
  422: 'The command breaks a rule of the meeting, or the position or range asked for is outside the log',
  429: 'Too many requests for this token or address (Retry-After), where a rate limit is configured',
  500: 'An unexpected failure (details are in the log, never in the answer)',
  503: 'The store is unavailable, a projection is not ready, or the server is stopping (Retry-After)',
};

/** The error statuses a route can really answer with, from what it takes and who may call it. */
const errorStatuses = (method: string, url: string, schema: FastifySchema, isPublic: boolean): number[] => {
  const statuses = new Set([500, 503]);
  if (schema.params || schema.querystring || schema.body || schema.headers) statuses.add(400);
  if (!isPublic) [401, 403].forEach((status) => statuses.add(status));
  // The rate limit (when configured) counts every request but the probes'.
  if (url !== '/healthz' && url !== '/readyz') statuses.add(429);
  if (/:(id|participantId|outcomeId)\b/.test(url)) statuses.add(404);
  if (method === 'GET' && ['/v1/audit/checkpoint', '/v1/audit/proofs/inclusion'].includes(url)) statuses.add(404);
  // A position past the head: a proof's range, a live feed's resume point, a projection's asOf.
  if (/^\/v1\/(audit\/proofs\/|events\/live$|agenda|attendance|timeline)/.test(url)) statuses.add(422);
  if (schema.body) [400, 413, 415].forEach((status) => statuses.add(status));
  if (method === 'POST' && url.startsWith('/v1/m')) [409, 412, 422].forEach((status) => statuses.add(status));
  if (url === '/console/session' && method === 'POST') statuses.add(401);
  return [...statuses].sort((a, b) => a - b);
};

/** `GET /v1/meetings/:id/events` -> `getV1MeetingsIdEvents`: unique, stable, derived from the route. */
const operationIdOf = (method: string, url: string): string =>
  [method.toLowerCase(), ...url.split(/[^A-Za-z0-9]+/).filter(Boolean)]
    .map((part, i) => (i === 0 ? part : part.charAt(0).toUpperCase() + part.slice(1)))
    .join('');

const answerSchema = ({ description, content }: DocumentedAnswer) => ({
  description,
  ...(Object.keys(content).length > 0 && {
    content: Object.fromEntries(Object.entries(content).map(([type, schema]) => [type, { schema }])),
  }),
});

/**
 * jsonSchemaTransform (zod to JSON Schema), then what every operation needs to be complete: an
 * operationId, its answers (the route's own response schemas, or documentedAnswers), its errors as
 * problem documents, and no bearer requirement on public routes.
 */
const transform: SwaggerTransform = (args) => {
  const { schema, url } = jsonSchemaTransform(args);
  const method = ([args.route.method].flat()[0] ?? 'GET').toUpperCase();
  const isPublic = args.route.config?.access === 'public';
  const own = (schema.response ?? {}) as Record<string, unknown>;
  const documented = documentedAnswers[`${method} ${args.url}`];
  const problems = Object.fromEntries(
    errorStatuses(method, args.url, args.schema, isPublic).map((status) => [
      status,
      { description: problemAnswers[status], content: { [PROBLEM_JSON]: { schema: { $ref: 'Problem#' } } } },
    ]),
  );
  return {
    url,
    schema: {
      ...schema,
      operationId: operationIdOf(method, args.url),
      ...(isPublic && { security: [] }),
      response: { ...(documented && { [documented.status]: answerSchema(documented) }), ...own, ...problems },
    },
  };
};

/** The OpenAPI document at /openapi.json (and its UI at /docs), built from the routes as registered. */
export const registerOpenApi = async (app: FastifyInstance): Promise<void> => {
  app.addSchema({ $id: 'Problem', ...problemSchema });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'meeting-ledger',
        version: '1',
        description: 'An event-sourced ledger of meeting outcomes',
        license: { name: 'UNLICENSED: private, all rights reserved' },
      },
      servers: [{ url: '/', description: 'The server that serves this document' }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform,
    // Shared schemas keep their $id as their component name (Problem), not def-0.
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
};
