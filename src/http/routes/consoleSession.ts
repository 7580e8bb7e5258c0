import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { sessionPrincipal } from '../console/sessionAccess.js';
import { HttpProblem } from '../problem.js';
import type { TokenRegistry } from '../tokens.js';
import { csrfToken } from '../console/csrf.js';
import {
  SESSION_COOKIE,
  SESSION_SECONDS,
  cookieValue,
  sessionCookieHeader,
  signSession,
} from '../console/sessionCookie.js';

const tags = ['console'];

/**
 * The web console's sign-in: a token given once, in a body (never a URL), is exchanged for a signed
 * session cookie naming the token's id, and the session's CSRF token, which the console sends back
 * in X-CSRF-Token to change anything. The API itself keeps bearer tokens.
 */
export const consoleSessionRoutes =
  (tokens: TokenRegistry, sessionKey: Buffer): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/console/session',
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary: 'Sign in to the web console with a token: sets an HttpOnly session cookie',
          body: z.strictObject({ token: z.string().min(1).max(512) }),
        },
      },
      async (request, reply) => {
        const principal = tokens.authenticate(request.body.token);
        if (!principal) throw new HttpProblem(401, 'unauthorized', 'Authentication required', 'The token is not known');
        const expiresAt = Math.floor(Date.now() / 1000) + SESSION_SECONDS;
        const value = signSession(sessionKey, { tokenId: principal.id, expiresAt });
        void reply.header('Set-Cookie', sessionCookieHeader(value, SESSION_SECONDS, request.protocol === 'https'));
        void reply.header('Cache-Control', 'no-store');
        return {
          signedIn: true,
          role: principal.role,
          actor: principal.actor,
          expiresAt: new Date(expiresAt * 1000).toISOString(),
          csrfToken: csrfToken(sessionKey, value),
        };
      },
    );
    // Public, and 200 either way: a page opened before signing in asks without an error in its console.
    app.get(
      '/console/session',
      { config: { access: 'public' }, schema: { tags, summary: 'Who the console is signed in as, if anyone' } },
      async (request, reply) => {
        void reply.header('Cache-Control', 'no-store'); // it carries the session's CSRF token
        try {
          const principal = sessionPrincipal(request, tokens, sessionKey);
          const value = cookieValue(request.headers.cookie, SESSION_COOKIE);
          if (!principal || value === undefined) return { signedIn: false };
          return {
            signedIn: true,
            role: principal.role,
            actor: principal.actor,
            csrfToken: csrfToken(sessionKey, value),
          };
        } catch (error) {
          if (error instanceof HttpProblem && error.status === 401) return { signedIn: false, detail: error.message };
          throw error;
        }
      },
    );
    app.delete(
      '/console/session',
      { config: { access: 'public' }, schema: { tags, summary: 'Sign out of the web console' } },
      async (request, reply) => {
        void reply.header('Set-Cookie', sessionCookieHeader('', 0, request.protocol === 'https'));
        return reply.code(204).send();
      },
    );
  };
