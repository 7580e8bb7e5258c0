import type { FastifyRequest } from 'fastify';
import { HttpProblem } from '../problem.js';
import type { Principal, TokenRegistry } from '../tokens.js';
import { SESSION_COOKIE, cookieValue, verifySession } from './sessionCookie.js';

const unauthorized = (detail: string) => new HttpProblem(401, 'unauthorized', 'Authentication required', detail);

/** Reads need no CSRF defence: a cross-site request cannot read the answer, and SameSite=Strict withholds the cookie. */
const READS = new Set(['GET', 'HEAD']);

/**
 * The principal of the request's console session, if it carries one: the session names a token id,
 * looked up on every request, so a revoked token ends its sessions at once. Sessions only read for
 * now; commands from the console (with a CSRF token) are still to come.
 */
export const sessionPrincipal = (
  request: FastifyRequest,
  tokens: TokenRegistry,
  sessionKey: Buffer,
): Principal | undefined => {
  const value = cookieValue(request.headers.cookie, SESSION_COOKIE);
  if (value === undefined) return undefined;
  if (!READS.has(request.method)) {
    throw unauthorized('A console session may only read; send Authorization: Bearer <token> to change anything');
  }
  const session = verifySession(sessionKey, value, Math.floor(Date.now() / 1000));
  if (!session) throw unauthorized('The console session is not valid or has expired; sign in again');
  const principal = tokens.byId(session.tokenId);
  if (!principal) throw unauthorized("The console session's token was revoked; sign in again");
  request.stillAuthorized = () => tokens.byId(session.tokenId)?.role === principal.role;
  return principal;
};
