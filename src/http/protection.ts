import { createHash } from 'node:crypto';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import underPressure from '@fastify/under-pressure';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpProblem } from './problem.js';

export type ProtectionOptions = {
  /** Requests per token (or per address, without one) per window; absent: no limit. */
  rateLimit?: { max: number; windowMs: number };
  /** Origins a browser may call from; empty: CORS stays off and browsers get no access headers. */
  corsOrigins?: readonly string[];
  /** Shed load (503) while the event loop lags more than this; absent: never. */
  maxEventLoopDelayMs?: number;
};

/** The health probes answer whatever the load: an orchestrator must see the truth, not a 429. */
const isProbe = (request: FastifyRequest) => request.url === '/healthz' || request.url === '/readyz';

/**
 * The requester a rate limit counts against: the token's digest (never the token itself, which must
 * not sit in memory as a map key longer than needed), else the client's address.
 */
const requester = (request: FastifyRequest): string => {
  const match = /^Bearer (\S+)$/i.exec(request.headers.authorization ?? '');
  return match?.[1] ? `token:${createHash('sha256').update(match[1]).digest('hex').slice(0, 32)}` : `ip:${request.ip}`;
};

/**
 * Security headers, CORS (off unless origins are configured), a rate limit per token, and load
 * shedding under event-loop pressure. Registered before access control, so that CORS preflights
 * and limits apply before any token is looked at; every refusal is a problem document.
 */
export const registerProtection = async (app: FastifyInstance, options: ProtectionOptions): Promise<void> => {
  await app.register(helmet, { global: true });
  if (options.corsOrigins && options.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: [...options.corsOrigins],
      methods: ['GET', 'POST'],
      allowedHeaders: [
        'Authorization',
        'Content-Type',
        'Idempotency-Key',
        'If-Match',
        'If-None-Match',
        'Last-Event-ID',
        'X-Correlation-Id',
        'X-Request-Id',
      ],
      exposedHeaders: ['ETag', 'Location', 'Retry-After', 'X-Request-Id', 'Idempotent-Replayed', 'Ledger-Stale'],
      maxAge: 600,
    });
  }
  if (options.rateLimit) {
    const { max, windowMs } = options.rateLimit;
    await app.register(rateLimit, {
      max,
      timeWindow: windowMs,
      keyGenerator: requester,
      allowList: (request) => isProbe(request),
      errorResponseBuilder: (_request, context) =>
        new HttpProblem(
          429,
          'too-many-requests',
          'Too many requests',
          `At most ${context.max} requests per ${context.after} for one token; retry later`,
        ),
    });
  }
  if (options.maxEventLoopDelayMs !== undefined) {
    await app.register(underPressure, {
      maxEventLoopDelay: options.maxEventLoopDelayMs,
      retryAfter: 1,
      // A rejection goes to the one error handler, which answers it as a problem document.
      pressureHandler: async (request, reply) => {
        if (isProbe(request)) return;
        void reply.header('Retry-After', '1');
        throw new HttpProblem(503, 'overloaded', 'The ledger is overloaded', 'Retry shortly');
      },
    });
  }
};
