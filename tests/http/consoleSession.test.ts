import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestOf } from '../../src/http/tokens.js';
import { sessionCookieOf } from './consoleSignIn.js';
import { startTestApp, tokens, type TestApp } from './testApp.js';

describe('console sessions', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  const signIn = (token: string) => t.app.inject({ method: 'POST', url: '/console/session', payload: { token } });

  it('sets an HttpOnly, SameSite=Strict, expiring cookie that reads the agenda as the token would', async () => {
    const response = await signIn(tokens.reporter);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ signedIn: true, role: 'reporter' });
    const header = String(response.headers['set-cookie']);
    expect(header).toMatch(/^ledger_session=[\w-]+\.[\w-]+; Path=\/; Max-Age=28800; HttpOnly; SameSite=Strict$/);
    expect(header).not.toContain(tokens.reporter);

    const agenda = await t.app.inject({ url: '/v1/agenda', headers: { cookie: sessionCookieOf(header) } });
    expect(agenda.statusCode, agenda.body).toBe(200);
  });

  it('says who is signed in, and that nobody is, without an error for a page opened signed out', async () => {
    const cookie = sessionCookieOf((await signIn(tokens.auditor)).headers['set-cookie']);
    const signedIn = await t.app.inject({ url: '/console/session', headers: { cookie } });
    expect(signedIn.json()).toMatchObject({ signedIn: true, role: 'auditor' });
    const signedOut = await t.app.inject({ url: '/console/session' });
    expect(signedOut.statusCode).toBe(200);
    expect(signedOut.json()).toEqual({ signedIn: false });
  });

  it('refuses an unknown token and sets no cookie', async () => {
    const response = await signIn('not-a-token-of-this-ledger');
    expect(response.statusCode).toBe(401);
    expect(response.headers['set-cookie']).toBeUndefined();
  });

  it('gives a session only the role of its token', async () => {
    const cookie = sessionCookieOf((await signIn(tokens.reporter)).headers['set-cookie']);
    const checkpoint = await t.app.inject({ url: '/v1/audit/checkpoint', headers: { cookie } });
    expect(checkpoint.statusCode).toBe(403);
  });

  it('refuses a cookie whose signature was changed', async () => {
    const cookie = sessionCookieOf((await signIn(tokens.reporter)).headers['set-cookie']);
    const [name, value] = cookie.split('=') as [string, string];
    const [payload] = value.split('.');
    const forged = `${name}=${payload}.${Buffer.alloc(32).toString('base64url')}`;
    const response = await t.app.inject({ url: '/v1/agenda', headers: { cookie: forged } });
    expect(response.statusCode).toBe(401);
  });

  it('signs out by clearing the cookie', async () => {
    const response = await t.app.inject({ method: 'DELETE', url: '/console/session' });
    expect(response.statusCode).toBe(204);
    expect(String(response.headers['set-cookie'])).toMatch(/^ledger_session=; Path=\/; Max-Age=0; HttpOnly/);
  });
});

describe('a console session after its token is revoked', () => {
  it('is refused on its next request', async () => {
    const t = await startTestApp();
    try {
      const registry = t.ledger.tokens;
      registry.replaceManaged([
        {
          id: 'managed-one',
          role: 'auditor',
          sha256: digestOf('managed-x'),
        },
      ]);
      const signedIn = await t.app.inject({ method: 'POST', url: '/console/session', payload: { token: 'managed-x' } });
      const cookie = sessionCookieOf(signedIn.headers['set-cookie']);
      expect((await t.app.inject({ url: '/v1/agenda', headers: { cookie } })).statusCode).toBe(200);

      registry.replaceManaged([]); // what the token file's watcher does when the token is revoked
      const after = await t.app.inject({ url: '/v1/agenda', headers: { cookie } });
      expect(after.statusCode).toBe(401);
      expect(after.json()).toMatchObject({ detail: expect.stringContaining('revoked') });
    } finally {
      await t.close();
    }
  });
});
