import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Role } from '../config.js';
import { HttpProblem } from './problem.js';
import type { Principal, TokenRegistry } from './tokens.js';
import { sessionPrincipal } from './console/sessionAccess.js';

/** Who may call a route: `public`, or the roles listed. Every route must say, or the app refuses to start. */
export type Access = 'public' | readonly Role[];

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    /** A bearer token that also opens this route, whatever `access` says (the metrics scrape token). */
    alsoAccepts?: (token: string) => boolean;
  }
  interface FastifyRequest {
    principal?: Principal;
    /** Whether the request's token still authenticates with its role (long streams ask again). */
    stillAuthorized?: () => boolean;
  }
}

/*
 * The role matrix (README, "Who may read what"):
 * - only the secretariat writes;
 * - every role reads what the ledger recorded: the projections and their exports, the log itself
 *   (/v1/events, the live feed), a meeting with its corrections and its events, and past states
 *   (asOf). Reporting jobs consume the projections and the event feed, and the feed is the whole
 *   history: refusing a reporter asOf or a meeting's stream while serving it the feed refused nothing;
 * - the audit (proofs, checkpoints, verify) and the operators' view of the projections are for the
 *   secretariat and auditors.
 */
export const WRITERS: readonly Role[] = ['secretariat'];
/** What the ledger recorded: projections, exports, the log, meetings, past states. */
export const ALL_READERS: readonly Role[] = ['secretariat', 'auditor', 'reporter'];
/** The audit and operations (see above). */
export const AUDITORS: readonly Role[] = ['secretariat', 'auditor'];

const unauthorized = (detail: string) => new HttpProblem(401, 'unauthorized', 'Authentication required', detail);

/** The bearer token of an Authorization header, if it has the one accepted form. */
export const bearerToken = (header: string | undefined): string | undefined =>
  /^Bearer ([^\s]+)$/i.exec(header ?? '')?.[1];

/** The principal a bearer token names, or throws 401 (malformed or unknown token). */
const bearerPrincipal = (request: FastifyRequest, header: string, tokens: TokenRegistry): Principal => {
  const token = bearerToken(header);
  if (!token) throw unauthorized('The Authorization header must be "Bearer <token>"');
  const principal = tokens.authenticate(token);
  if (!principal) throw unauthorized('The token is not known');
  request.stillAuthorized = () => tokens.authenticate(token)?.role === principal.role;
  return principal;
};

/**
 * Names the principal of a request (a bearer token, else the console's session cookie), or throws
 * 401 (no or unknown token, no valid session) / 403 (role not allowed).
 */
const authorize = (
  request: FastifyRequest,
  access: readonly Role[],
  tokens: TokenRegistry,
  sessionKey: Buffer | undefined,
): Principal => {
  const header = request.headers.authorization;
  const principal =
    header !== undefined
      ? bearerPrincipal(request, header, tokens)
      : sessionKey && sessionPrincipal(request, tokens, sessionKey);
  if (!principal) throw unauthorized('Send Authorization: Bearer <token>');
  if (!access.includes(principal.role)) {
    throw new HttpProblem(403, 'forbidden', 'Not allowed for this role', `The ${principal.role} role may not do this`);
  }
  return principal;
};

/**
 * Checks every request against its route's `access` before the body is parsed, and refuses to
 * register a route that does not declare one. Console sessions are accepted when `sessionKey` is given.
 */
export const registerAccessControl = (app: FastifyInstance, tokens: TokenRegistry, sessionKey?: Buffer): void => {
  app.addHook('onRoute', (route) => {
    if (route.config?.access === undefined && !route.url.startsWith('/docs')) {
      throw new Error(`Route ${String(route.method)} ${route.url} declares no access rule`);
    }
  });
  app.addHook('onRequest', async (request) => {
    const { access = 'public', alsoAccepts } = request.routeOptions.config;
    if (access === 'public') return;
    const token = alsoAccepts && bearerToken(request.headers.authorization);
    if (token && alsoAccepts(token)) return;
    request.principal = authorize(request, access, tokens, sessionKey);
  });
};
