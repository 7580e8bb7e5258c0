import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Role } from '../config.js';
import { HttpProblem } from './problem.js';
import type { Principal, TokenRegistry } from './tokens.js';

/** Who may call a route: `public`, or the roles listed. Every route must say, or the app refuses to start. */
export type Access = 'public' | readonly Role[];

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    principal?: Principal;
    /** Whether the request's token still authenticates with its role (long streams ask again). */
    stillAuthorized?: () => boolean;
  }
}

/*
 * The role matrix (README, "Who may read what"). The line runs between the ledger's current,
 * corrected account and its history:
 * - the projections and their exports (agenda, attendance, timeline, as they stand now) are for
 *   every role: they show each outcome's current value, never what a correction replaced;
 * - history is the log itself (/v1/events, the live feed, a meeting's events), a meeting with its
 *   corrections (/v1/meetings/{id}), past states (asOf, and the pages that follow an asOf read), and
 *   the audit and operations routes: for the secretariat and auditors. The log holds what a retraction
 *   withdrew, an amendment's previous values and who did what (`metadata.actor`); a reporter who
 *   could read it could rebuild any past state, so refusing asOf alone would refuse nothing.
 * - only the secretariat writes.
 */
export const WRITERS: readonly Role[] = ['secretariat'];
/** The current account: projections and exports. */
export const ALL_READERS: readonly Role[] = ['secretariat', 'auditor', 'reporter'];
/** History, audit and operations (see above). */
export const STREAM_READERS: readonly Role[] = ['secretariat', 'auditor'];

const unauthorized = (detail: string) => new HttpProblem(401, 'unauthorized', 'Authentication required', detail);

/** The bearer token of an Authorization header, if it has the one accepted form. */
export const bearerToken = (header: string | undefined): string | undefined =>
  /^Bearer ([^\s]+)$/i.exec(header ?? '')?.[1];

/** Names the principal of a request, or throws 401 (no or unknown token) / 403 (role not allowed). */
const authorize = (request: FastifyRequest, access: readonly Role[], tokens: TokenRegistry): Principal => {
  const header = request.headers.authorization;
  if (header === undefined) throw unauthorized('Send Authorization: Bearer <token>');
  const token = bearerToken(header);
  if (!token) throw unauthorized('The Authorization header must be "Bearer <token>"');
  const principal = tokens.authenticate(token);
  if (!principal) throw unauthorized('The token is not known');
  request.stillAuthorized = () => tokens.authenticate(token)?.role === principal.role;
  if (!access.includes(principal.role)) {
    throw new HttpProblem(403, 'forbidden', 'Not allowed for this role', `The ${principal.role} role may not do this`);
  }
  return principal;
};

/**
 * Checks every request against its route's `access` before the body is parsed, and refuses to
 * register a route that does not declare one.
 */
export const registerAccessControl = (app: FastifyInstance, tokens: TokenRegistry): void => {
  app.addHook('onRoute', (route) => {
    if (route.config?.access === undefined && !route.url.startsWith('/docs')) {
      throw new Error(`Route ${String(route.method)} ${route.url} declares no access rule`);
    }
  });
  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access ?? 'public';
    if (access === 'public') return;
    request.principal = authorize(request, access, tokens);
  });
};
