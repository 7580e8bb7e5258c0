import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cookieValue, signSession, verifySession } from '../../src/http/console/sessionCookie.js';

const key = randomBytes(32);

describe('the console session cookie', () => {
  it('carries its session until it expires, and not a second longer', () => {
    const value = signSession(key, { tokenId: 'tok_1', expiresAt: 1_000 });
    expect(verifySession(key, value, 999)).toEqual({ tokenId: 'tok_1', expiresAt: 1_000 });
    expect(verifySession(key, value, 1_000)).toBeUndefined();
  });

  it('refuses a payload changed under its signature, and a cookie signed with another key', () => {
    const value = signSession(key, { tokenId: 'tok_1', expiresAt: 1_000 });
    const [, signature] = value.split('.');
    const longer = Buffer.from(JSON.stringify({ tokenId: 'tok_1', expiresAt: 9_999 })).toString('base64url');
    expect(verifySession(key, `${longer}.${signature}`, 999)).toBeUndefined();
    expect(verifySession(randomBytes(32), value, 999)).toBeUndefined();
  });

  it('finds its value among other cookies', () => {
    expect(cookieValue('a=1; ledger_session=x.y; b=2', 'ledger_session')).toBe('x.y');
    expect(cookieValue('a=1', 'ledger_session')).toBeUndefined();
  });
});
