import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { newId } from '../application/ids.js';
import type { CommandContext } from '../application/commandHandler.js';
import { HttpProblem } from './problem.js';

const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
const IF_MATCH = /^(?:W\/)?"(\d{1,15})"$|^(\d{1,15})$/;

const badHeader = (header: string, detail: string) =>
  new HttpProblem(400, 'invalid-header', `Invalid ${header} header`, detail, { header });

/** Key order must not change a request's identity: `{a,b}` and `{b,a}` are the same request. */
const canonicalJson = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
};

/** What makes two requests the same request under one Idempotency-Key: method, path, If-Match, body. */
export const requestFingerprint = (method: string, path: string, ifMatch: string | undefined, body: unknown): string =>
  createHash('sha256')
    .update(`${method} ${path}\n${ifMatch ?? ''}\n${canonicalJson(body)}`)
    .digest('hex');

const singleHeader = (request: FastifyRequest, name: string): string | undefined => {
  const value = request.headers[name];
  if (Array.isArray(value)) throw badHeader(name, `Send ${name} once`);
  return value;
};

/** The client's X-Correlation-Id or X-Request-Id when well-formed, else this request's own id. */
const correlationIdOf = (request: FastifyRequest): string => {
  for (const header of ['x-correlation-id', 'x-request-id']) {
    const given = request.headers[header];
    if (typeof given === 'string' && CORRELATION_ID.test(given)) return given;
  }
  return request.id;
};

/** Reads what a command takes from the edge: who, when, which ids, and the client's preconditions. */
export const commandContext = (request: FastifyRequest): CommandContext => {
  const principal = request.principal;
  if (!principal) throw new Error('commandContext needs an authenticated request');
  const commandId = newId();
  const context: CommandContext = {
    commandId,
    correlationId: correlationIdOf(request),
    causationId: commandId,
    actor: principal.actor,
    receivedAt: new Date().toISOString(),
    ...(principal.illustrative && { illustrative: true }),
  };
  const ifMatch = singleHeader(request, 'if-match');
  if (ifMatch !== undefined) {
    const match = IF_MATCH.exec(ifMatch.trim());
    if (!match) throw badHeader('if-match', 'If-Match must be a revision in quotes, as sent in ETag: "3"');
    context.expectedRevision = Number(match[1] ?? match[2]);
  }
  const key = singleHeader(request, 'idempotency-key');
  if (key !== undefined) {
    if (!IDEMPOTENCY_KEY.test(key))
      throw badHeader('idempotency-key', 'Idempotency-Key must be 1 to 255 visible ASCII characters');
    const fingerprint = requestFingerprint(request.method, request.url.split('?')[0] ?? '', ifMatch, request.body);
    // Keys are per caller (by token id: collision-free): two clients choosing the same key never see
    // each other's responses. Keys kept before tokens had ids are under the former actor.
    context.idempotency = {
      scope: `${principal.id}/${key}`,
      formerScope: `${principal.formerActor}/${key}`,
      fingerprint,
    };
  }
  return context;
};
