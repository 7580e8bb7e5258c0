import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { randomBytes } from 'node:crypto';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { DestinationStream, LoggerOptions } from 'pino';
import { newId } from '../application/ids.js';
import type { CommandHandler } from '../application/commandHandler.js';
import type { CommandBus } from '../application/ledgerCommands.js';
import { StoreUnavailable } from '../eventStore/errors.js';
import type { AuditLog } from '../audit/auditLog.js';
import type { AuditStore } from '../audit/auditStore.js';
import type { EventStore } from '../eventStore/eventStore.js';
import type { LedgerMetrics } from '../metrics/ledgerMetrics.js';
import type { ProjectionEngine } from '../projections/projectionEngine.js';
import { registerAccessControl } from './access.js';
import { registerJsonBodies } from './bodyParsing.js';
import { registerOpenApi } from './openapi.js';
import { registerProblemHandlers, sendProblem, toProblem } from './problem.js';
import { registerProtection, type ProtectionOptions } from './protection.js';
import { registerRequestLog } from './requestLog.js';
import { commandRoutes } from './routes/commands.js';
import { consoleRoutes } from './routes/console.js';
import { consoleSessionRoutes } from './routes/consoleSession.js';
import { auditRoutes } from './routes/audit.js';
import { liveRoutes } from './routes/live.js';
import { countCommands, metricsRoutes } from './routes/metrics.js';
import { projectionRoutes } from './routes/projections.js';
import { healthRoutes } from './routes/health.js';
import { readRoutes } from './routes/reads.js';
import type { TokenRegistry } from './tokens.js';
import { ledgerLimitDefaults, type LedgerLimits } from '../config.js';

export type AppDependencies = {
  store: EventStore;
  projections: ProjectionEngine;
  audit: AuditLog;
  auditStore: AuditStore;
  /** The signer name in checkpoints (the log's origin). */
  auditKeyName?: string;
  handler: CommandHandler;
  commands: CommandBus;
  tokens: TokenRegistry;
  bodyLimit?: number;
  /** /readyz fails while a projection is more events than this behind the log. */
  readyMaxLag?: number;
  /** Fastify's logger; `stream` shares the server's log destination (closed by the server on stop). */
  logger?: (LoggerOptions & { stream?: DestinationStream }) | false;
  /** What commands may hold and how large a page of the feed may be (defaults when absent). */
  limits?: LedgerLimits;
  /** Signs page cursors; derived from the data directory's signing key, so cursors outlive a restart. */
  cursorKey?: Buffer;
  /** Signs the console's session cookies; derived from the signing key, so sessions outlive a restart. */
  sessionKey?: Buffer;
  /** Rate limit, CORS and load shedding; security headers are always on. */
  protection?: ProtectionOptions;
  /** Counted as requests are answered and served at GET /metrics; no /metrics without them. */
  metrics?: LedgerMetrics;
  /** A token that opens GET /metrics and nothing else (LEDGER_METRICS_TOKEN). */
  metricsToken?: string;
};

export { loggerOptions } from '../logOutput.js';

/** Builds the ledger's HTTP app. The server file only starts it; tests `inject` into it. */
export const buildApp = async (deps: AppDependencies): Promise<FastifyInstance> => {
  const app = Fastify({
    logger: deps.logger ?? false,
    // Fastify's two lines per request (and its line per refusal) are off: registerRequestLog writes one.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.bodyLimit ?? 1024 * 1024,
    // The server names every request itself; a client's X-Request-Id is kept as the correlation id.
    genReqId: () => newId(),
    requestIdHeader: false,
    // Refused during shutdown by the hook below, as a problem document with Retry-After.
    return503OnClosing: false,
    // Errors the router raises before any hook (a malformed escape, an over-long id) are problems too.
    frameworkErrors: (error, request, reply) => void sendProblem(reply, toProblem(error, request)),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerJsonBodies(app);
  let closing = false;
  app.addHook('onSend', async (request, reply) => {
    void reply.header('X-Request-Id', request.id);
    // Once closing, a keep-alive connection ends with the answer it carries: otherwise it would
    // stay open, idle, and hold the stop until the grace period runs out.
    if (closing) void reply.header('Connection', 'close');
  });
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async () => {
    if (closing) throw new StoreUnavailable('The ledger is shutting down; retry shortly', 2);
  });
  registerProblemHandlers(app);
  registerRequestLog(app);
  await registerOpenApi(app);
  await registerProtection(app, deps.protection ?? {}, deps.tokens);
  // Without a key from the caller, sessions last as long as this app.
  const sessionKey = deps.sessionKey ?? randomBytes(32);
  registerAccessControl(app, deps.tokens, sessionKey);
  if (deps.metrics) countCommands(app, deps.metrics);
  app.get('/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger());
  await app.register(consoleSessionRoutes(deps.tokens, sessionKey));
  await app.register(consoleRoutes());
  await app.register(healthRoutes(deps.store, deps.projections, deps.readyMaxLag ?? 1_000, deps.audit));
  await app.register(commandRoutes(deps.commands, deps.limits));
  await app.register(readRoutes(deps.store, deps.handler, deps.limits?.pageSize));
  const limits = deps.limits ?? ledgerLimitDefaults;
  await app.register(
    projectionRoutes(deps.projections, deps.store, {
      pageSize: limits.pageSize,
      exports: { perCaller: limits.exportsPerToken, total: limits.exports },
      ...(deps.cursorKey && { cursorKey: deps.cursorKey }),
    }),
  );
  const liveLimits = { perCaller: limits.liveStreamsPerToken, total: limits.liveStreams };
  await app.register(liveRoutes(deps.store, undefined, liveLimits, deps.metrics?.liveClients));
  await app.register(
    auditRoutes(deps.audit, deps.auditStore, deps.store, deps.auditKeyName ?? 'meeting-ledger', {
      pageSize: limits.pageSize,
      ...(deps.cursorKey && { cursorKey: deps.cursorKey }),
    }),
  );
  if (deps.metrics) await app.register(metricsRoutes(deps.metrics, deps, deps.metricsToken));
  return app;
};
