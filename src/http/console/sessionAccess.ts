import type { FastifyRequest } from 'fastify';
import { HttpProblem } from '../problem.js';
import type { Principal, TokenRegistry } from '../tokens.js';
import { CSRF_HEADER, isCsrfToken, isSameOrigin } from './csrf.js';
import { SESSION_COOKIE, cookieValue, verifySession } from './sessionCookie.js';

const unauthorized = (detail: string) => new HttpProblem(401, 'unauthorized', 'Authentication required', detail);
const crossSite = (detail: string) => new HttpProblem(403, 'csrf', 'Refused as a possible cross-site request', detail);

/** Reads need no CSRF defence: a cross-site request cannot read the answer, and SameSite=Strict withholds the cookie. */
const READS = new Set(['GET', 'HEAD']);

/**
 * A change made with a session cookie must come from the console itself: its CSRF token in the
 * X-CSRF-Token header, and the browser saying the request is same-origin. SameSite=Strict already
 * keeps the cookie off cross-site requests; this holds even where a browser does not honour it.
 */
const requireConsoleOrigin = (request: FastifyRequest, sessionKey: Buffer, value: string): void => {
  if (!isCsrfToken(sessionKey, value, request.headers[CSRF_HEADER])) {
    throw crossSite(
      'A console session changes something only with its CSRF token in X-CSRF-Token (from GET /console/session)',
    );
  }
  if (!isSameOrigin(request)) {
    throw crossSite('A console session changes something only from a page of this ledger (Origin, Sec-Fetch-Site)');
  }
};

/**
 * The principal of the request's console session, if it carries one: the session names a token id,
 * looked up on every request, so a revoked token ends its sessions at once. A request that changes
 * something must also pass the CSRF checks above.
 */
export const sessionPrincipal = (
  request: FastifyRequest,
  tokens: TokenRegistry,
  sessionKey: Buffer,
): Principal | undefined => {
  const value = cookieValue(request.headers.cookie, SESSION_COOKIE);
  if (value === undefined) return undefined;
  const session = verifySession(sessionKey, value, Math.floor(Date.now() / 1000));
  if (!session) throw unauthorized('The console session is not valid or has expired; sign in again');
  const principal = tokens.byId(session.tokenId);
  if (!principal) throw unauthorized("The console session's token was revoked; sign in again");
  if (!READS.has(request.method)) requireConsoleOrigin(request, sessionKey, value);
  request.stillAuthorized = () => tokens.byId(session.tokenId)?.role === principal.role;
  return principal;
};
