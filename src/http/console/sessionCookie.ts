import { createHmac, timingSafeEqual } from 'node:crypto';

/** The console's session cookie: HttpOnly, so no script (ours or injected) can read it. */
export const SESSION_COOKIE = 'ledger_session';

/** A session lasts a working day; signing in again is cheap, a stolen cookie's life is short. */
export const SESSION_SECONDS = 8 * 60 * 60;

/** What a session holds: the token's id (never the token), so revoking the token ends the session. */
export type Session = { tokenId: string; expiresAt: number };

const mac = (key: Buffer, payload: string): Buffer => createHmac('sha256', key).update(payload).digest();

/** `payload.mac`, both base64url: the payload is readable, only the key can make a valid mac. */
export const signSession = (key: Buffer, session: Session): string => {
  const payload = Buffer.from(JSON.stringify(session)).toString('base64url');
  return `${payload}.${mac(key, payload).toString('base64url')}`;
};

/** The session a cookie value carries, if its mac is ours and it has not expired at `nowSeconds`. */
export const verifySession = (key: Buffer, value: string, nowSeconds: number): Session | undefined => {
  const [payload, signature, ...rest] = value.split('.');
  if (payload === undefined || signature === undefined || rest.length > 0) return undefined;
  const given = Buffer.from(signature, 'base64url');
  const expected = mac(key, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const session = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Partial<Session>;
    if (typeof session.tokenId !== 'string' || typeof session.expiresAt !== 'number') return undefined;
    return session.expiresAt > nowSeconds ? { tokenId: session.tokenId, expiresAt: session.expiresAt } : undefined;
  } catch {
    return undefined;
  }
};

/** One cookie's value from a Cookie header (the only cookie the ledger reads: no parser plugin needed). */
export const cookieValue = (header: string | undefined, name: string): string | undefined => {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
};

/** The Set-Cookie header: Secure when the request came over TLS, Strict so no other site sends it. */
export const sessionCookieHeader = (value: string, maxAgeSeconds: number, secure: boolean): string =>
  [
    `${SESSION_COOKIE}=${value}`,
    'Path=/',
    `Max-Age=${maxAgeSeconds}`,
    'HttpOnly',
    'SameSite=Strict',
    ...(secure ? ['Secure'] : []),
  ].join('; ');
