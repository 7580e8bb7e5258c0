import type { FastifyInstance, FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The command a route runs: its line says how many events it appended, and metrics count it by type. */
    command?: string;
    /** A health or metrics probe: its line is logged at debug, not info (a probe comes every few seconds). */
    probe?: boolean;
  }
  interface FastifyRequest {
    /** Events a command appended (0 when it changed nothing or was answered again). */
    eventsAppended?: number;
    /** Set by the error handler: the level and fields the request's line takes for a failure. */
    failure?: { level: 'warn' | 'error'; fields: Record<string, unknown> };
  }
}

const MAX_PATH_LENGTH = 256;

/** Where the request went: its route pattern, or (no route matched) its path, bounded. */
const routeOf = (request: FastifyRequest): { route: string } | { path: string } => {
  const route = request.routeOptions.url;
  if (route !== undefined) return { route };
  return { path: (request.url.split('?')[0] ?? '').slice(0, MAX_PATH_LENGTH) };
};

/**
 * One line per request, when its answer is sent: method, route pattern, status, duration, who asked
 * (role and token id, never the token), events a command appended, the problem code of a refusal;
 * the request id is in every line of fastify's request logger. Info, probes at debug, and a failure
 * at the level the error handler gave it. Fastify's own request lines are off (see buildApp).
 */
export const registerRequestLog = (app: FastifyInstance): void => {
  // At debug, also a line as each request arrives (a request that never completes is seen); no hook at all otherwise.
  if (app.log.level === 'debug' || app.log.level === 'trace') {
    app.addHook('onRequest', async (request) => {
      const { method, socket } = request;
      request.log.debug({ method, ...routeOf(request), remotePort: socket.remotePort }, 'request received');
    });
  }
  app.addHook('onResponse', async (request, reply) => {
    const { command, probe } = request.routeOptions.config;
    const line = {
      method: request.method,
      ...routeOf(request),
      status: reply.statusCode,
      durationMs: Math.round(reply.elapsedTime * 10) / 10,
      actor: request.principal?.actor,
      events: command === undefined ? undefined : (request.eventsAppended ?? 0),
      problem: request.problemCode,
      ...request.failure?.fields,
    };
    const level = request.failure?.level ?? (probe ? 'debug' : 'info');
    request.log[level](line, 'request completed');
  });
};
