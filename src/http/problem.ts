import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { LedgerError } from '../domain/errors.js';
import { ReplayedRefusal } from '../application/refusals.js';
import { StoreUnavailable } from '../eventStore/errors.js';

export const PROBLEM_JSON = 'application/problem+json';

declare module 'fastify' {
  interface FastifyRequest {
    /** The code of the problem this request was answered with (the last segment of its type), if any. */
    problemCode?: string;
  }
}

export type Problem = {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  [extension: string]: unknown;
};

/** Errors raised by the HTTP layer itself (auth, headers); same shape as every other ledger error. */
export class HttpProblem extends LedgerError {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    detail: string,
    extensions: Record<string, unknown> = {},
    /** For a 429 or 503: when to come back (the Retry-After header). */
    readonly retryAfterSeconds?: number,
  ) {
    super(detail, extensions);
  }
}

/**
 * A position past the log's head, asked for as `asOf` or as a live feed's resume point: refused with
 * the head named (`head`), since answering the head instead would pass it off as that position.
 */
export const beyondTheLog = (source: string, position: number, head: number): HttpProblem =>
  new HttpProblem(
    422,
    'beyond-the-log',
    'The position is past the end of the log',
    `${source} ${position} is past the end of the log, which is at position ${head}`,
    { head },
  );

/** A refusal that says when to try again: the store being away, a limit reached, a projection not there yet. */
const retryAfterOf = (error: unknown): number | undefined => {
  if (error instanceof StoreUnavailable) return error.retryAfterSeconds;
  if (error instanceof HttpProblem) return error.retryAfterSeconds;
  return undefined;
};

const PROBLEM_TYPE_PREFIX = 'urn:meeting-ledger:problem:';
const problemType = (code: string) => `${PROBLEM_TYPE_PREFIX}${code}`;

// Fastify's own client errors, by code, with the status and problem code they answer with.
const fastifyClientErrors: Record<string, { status: number; code: string; title: string }> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'unsupported-media-type', title: 'The body must be JSON' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'body-too-large', title: 'The body is larger than the limit' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'invalid-json', title: 'The body is empty' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'invalid-json', title: 'The body is not valid JSON' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    code: 'bad-request',
    title: 'Content-Length does not match the body',
  },
};

const MAX_INSTANCE_LENGTH = 256;

export const toProblem = (error: unknown, request: FastifyRequest): Problem => {
  // A hostile path is not echoed back whole.
  const path = request.url.split('?')[0] ?? '';
  const instance = path.length <= MAX_INSTANCE_LENGTH ? path : undefined;
  if (error instanceof LedgerError) {
    const problem = {
      type: problemType(error.code),
      title: error.title,
      status: error.status,
      detail: error.message,
      instance,
    };
    return { ...problem, ...error.extensions, ...problem };
  }
  const fastifyError = error as Partial<FastifyError>;
  if (hasZodFastifySchemaValidationErrors(error)) {
    return {
      type: problemType('invalid-request'),
      title: 'The request does not match the schema',
      status: 400,
      detail: error.message,
      instance,
      errors: error.validation.map((v) => ({
        in: error.validationContext,
        path: v.instancePath || '/',
        message: v.message,
      })),
    };
  }
  const known = fastifyError.code ? fastifyClientErrors[fastifyError.code] : undefined;
  if (known)
    return {
      type: problemType(known.code),
      title: known.title,
      status: known.status,
      detail: fastifyError.message,
      instance,
    };
  const status = fastifyError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    // A client error raised by fastify or a plugin: its message describes the request, not our internals.
    return { type: problemType('bad-request'), title: 'Bad request', status, detail: fastifyError.message, instance };
  }
  return {
    type: problemType('internal'),
    title: 'Internal error',
    status: 500,
    detail: `The ledger failed to handle this request; quote request id ${request.id} when reporting it`,
    instance,
  };
};

export const sendProblem = (reply: FastifyReply, problem: Problem): FastifyReply => {
  reply.request.problemCode = problem.type.slice(PROBLEM_TYPE_PREFIX.length);
  return reply.code(problem.status).type(PROBLEM_JSON).send(problem);
};

/** The one place errors become responses. A 5xx is logged in full and shown to the caller as nothing but an id. */
export const registerProblemHandlers = (app: FastifyInstance): void => {
  app.setErrorHandler((error, request, reply) => {
    const problem = toProblem(error, request);
    // A refusal is told by the request's one line (its problem code); a failure raises that line's level.
    if (error instanceof StoreUnavailable) {
      // Expected while a database restarts: the request's line says why, without the stack of every one.
      const cause = error.cause instanceof Error ? error.cause.message : undefined;
      request.failure = { level: 'warn', fields: { detail: error.message, cause } };
    } else if (error instanceof HttpProblem && error.status >= 500) {
      // A 5xx the ledger means (not ready, overloaded): an answer, not a failure. Its line says it at
      // warn, but for a probe: a cold start is probed many times while not ready.
      if (request.routeOptions.config.probe !== true) request.failure = { level: 'warn', fields: {} };
    } else if (problem.status >= 500) {
      // The stack at once: a client that has gone away never gets its request's line written.
      request.log.error({ err: error }, 'request failed');
      request.failure = { level: 'error', fields: {} };
    }
    const retryAfter = retryAfterOf(error);
    if (retryAfter !== undefined) void reply.header('Retry-After', String(retryAfter));
    if (problem.status === 401) void reply.header('WWW-Authenticate', 'Bearer realm="meeting-ledger"');
    if (error instanceof ReplayedRefusal) void reply.header('Idempotent-Replayed', 'true');
    return sendProblem(reply, problem);
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      reply,
      toProblem(new HttpProblem(404, 'not-found', 'Not found', `No route ${request.method} here`), request),
    ),
  );
};
