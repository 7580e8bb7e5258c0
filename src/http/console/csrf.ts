import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

/** The header the console sends its CSRF token in, on every request that changes something. */
export const CSRF_HEADER = 'x-csrf-token';

/**
 * The CSRF token of a session: an HMAC of the session cookie's value, so it lives and dies with the
 * session and needs no storage. The page gets it in the session's JSON (a cross-site page cannot
 * read that answer) and sends it back in a header (a cross-site form or image cannot set headers).
 */
export const csrfToken = (key: Buffer, sessionValue: string): string =>
  createHmac('sha256', key).update(`csrf\n${sessionValue}`).digest('base64url');

/** Whether `given` is the CSRF token of the session, compared in constant time. */
export const isCsrfToken = (key: Buffer, sessionValue: string, given: unknown): boolean => {
  if (typeof given !== 'string') return false;
  const expected = Buffer.from(csrfToken(key, sessionValue));
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
};

/** A host without the default port of either scheme: `ledger.example:443` and `ledger.example` are one host. */
const withoutDefaultPort = (host: string): string => host.replace(/:(?:80|443)$/, '');

const hostOf = (origin: string): string | undefined => {
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' || url.protocol === 'https:' ? withoutDefaultPort(url.host) : undefined;
  } catch {
    return undefined;
  }
};

/**
 * Whether the browser says the request comes from a page of this very server: Sec-Fetch-Site
 * `same-origin` and an Origin naming our host, each checked when sent, at least one of them sent
 * (every browser the console supports sends both on a POST). The Origin's host is compared, not its
 * scheme: behind a proxy ending TLS the ledger sees http while the page is https.
 */
export const isSameOrigin = (request: FastifyRequest): boolean => {
  const site = request.headers['sec-fetch-site'];
  const origin = request.headers.origin;
  if (site === undefined && origin === undefined) return false;
  if (site !== undefined && site !== 'same-origin') return false;
  return origin === undefined || hostOf(origin) === withoutDefaultPort(request.host);
};
