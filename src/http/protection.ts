import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import underPressure from '@fastify/under-pressure';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { bearerToken } from './access.js';
import { HttpProblem } from './problem.js';
import type { TokenRegistry } from './tokens.js';

export type ProtectionOptions = {
  /** Requests per token (or per address, without one) per window; absent: no limit. */
  rateLimit?: { max: number; windowMs: number };
  /** Origins a browser may call from; empty: CORS stays off and browsers get no access headers. */
  corsOrigins?: readonly string[];
  /** Shed load (503) while the event loop lags more than this; absent: never. */
  maxEventLoopDelayMs?: number;
};

/** The health probes answer whatever the load: an orchestrator must see the truth, not a 429. */
const isProbe = (request: FastifyRequest) => {
  const path = request.url.split('?')[0];
  return path === '/healthz' || path === '/readyz';
};

/**
 * The requester a rate limit counts against: a token that authenticates, by its actor (never the
 * token itself); anything else (no token, a made-up one, each of which would otherwise get a fresh
 * allowance) by the client's address, so guessing tokens is limited too.
 */
const requester =
  (tokens: TokenRegistry) =>
  (request: FastifyRequest): string => {
    const token = bearerToken(request.headers.authorization);
    const principal = token === undefined ? undefined : tokens.authenticate(token);
    return principal ? `actor:${principal.actor}` : `ip:${request.ip}`;
  };

/**
 * Security headers, CORS (off unless origins are configured), a rate limit per token, and load
 * shedding under event-loop pressure. Registered before access control, as app-level hooks, so
 * that preflights, limits and shedding apply before a request is authorized (a flood of 401s is
 * limited too); every refusal is a problem document.
 */
export const registerProtection = async (
  app: FastifyInstance,
  options: ProtectionOptions,
  tokens: TokenRegistry,
): Promise<void> => {
  // No upgrade-insecure-requests: behind plain HTTP on a private address it would break /docs.
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
  });
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
      exposedHeaders: [
        'ETag',
        'Location',
        'Retry-After',
        'X-Request-Id',
        'Idempotent-Replayed',
        'Ledger-Stale',
        'Ledger-Notice',
      ],
      maxAge: 600,
    });
  }
  if (options.rateLimit) {
    const { max, windowMs } = options.rateLimit;
    // global: false and an app-level hook of our own: the plugin's route-level hooks would run after
    // access control, leaving unauthenticated requests unlimited.
    await app.register(rateLimit, {
      global: false,
      max,
      timeWindow: windowMs,
      keyGenerator: requester(tokens),
      allowList: (request) => isProbe(request),
      errorResponseBuilder: (_request, context) =>
        new HttpProblem(
          429,
          'too-many-requests',
          'Too many requests',
          `At most ${context.max} requests per ${context.after} for one token; retry later`,
        ),
    });
    app.addHook('onRequest', app.rateLimit());
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
