import type { AuditableEvent } from '../../src/audit/canonicalText.js';

/** A problem document (RFC 9457) as the ledger writes it, with whatever extensions it carries. */
export type Problem = { title?: string; detail?: string; status?: number; type?: string; [extension: string]: unknown };

/** A refusal as the ledger explains it (application/problem+json), or the bare status. */
export class ApiRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly problem: Problem = {},
  ) {
    super(message);
  }
}

const refusal = async (response: Response): Promise<ApiRefusal> => {
  try {
    const problem = (await response.json()) as Problem;
    return new ApiRefusal(response.status, problem.detail ?? problem.title ?? response.statusText, problem);
  } catch {
    return new ApiRefusal(response.status, response.statusText);
  }
};

/** An event as the ledger gives it: in pages from /v1/events, and one by one on the live feed. */
export type LedgerEvent = AuditableEvent & { position: number; recordedAt: string };

export type SignedIn = { signedIn: true; role: string; actor: string; csrfToken: string };
export type Session = SignedIn | { signedIn: false };

/** The session's CSRF token: kept in memory only, sent on every request that changes something. */
let csrfToken: string | undefined;

/** Remembers the CSRF token of the session the page is signed in with. */
export const useSession = (session: SignedIn): void => {
  csrfToken = session.csrfToken;
};

/** The last position the console saw on the live feed. */
let seenPosition: number | undefined;

/** Notes a position the live feed delivered (or the views stood at when it started). */
export const sawPosition = (position: number | undefined): void => {
  seenPosition = position === undefined ? undefined : Math.max(seenPosition ?? 0, position);
};

const PROJECTION_READ = /^\/v1\/(?:agenda|timeline|attendance)(?:\/[^/?]+)?(?:\?|$)/;
const PINNED = /[?&](?:asOf|cursor|minPosition)=/;

/**
 * A read of a projection (agenda, timeline, attendance) waits until the projection has applied what
 * the live feed showed (`minPosition`), so a view redrawn for an event shows it; a read of the past
 * (`asOf`) or of a pinned page (`cursor`) is left as asked.
 */
const noOlderThanSeen = (path: string): string =>
  seenPosition === undefined || !PROJECTION_READ.test(path) || PINNED.test(path)
    ? path
    : `${path}${path.includes('?') ? '&' : '?'}minPosition=${seenPosition}`;

/**
 * The console's calls: same origin, so the browser sends the HttpOnly session cookie itself; the
 * token is sent once, to sign in, and kept nowhere in the page. Changes carry the CSRF token.
 */
export const api = async <T>(
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<T> => {
  const response = await fetch(method === 'GET' ? noOlderThanSeen(path) : path, {
    method,
    credentials: 'same-origin',
    headers: {
      accept: 'application/json',
      ...(body !== undefined && { 'content-type': 'application/json' }),
      ...(method !== 'GET' && csrfToken !== undefined && { 'x-csrf-token': csrfToken }),
      ...headers,
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw await refusal(response);
  return (response.status === 204 ? undefined : await response.json()) as T;
};
