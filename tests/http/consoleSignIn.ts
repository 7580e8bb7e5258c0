import type { Role } from '../../src/config.js';
import type { TestApp } from './testApp.js';
import { tokens } from './testApp.js';

/** The `name=value` pair of a Set-Cookie header: what a browser sends back in Cookie. */
export const sessionCookieOf = (setCookie: string | string[] | undefined): string => {
  const header = Array.isArray(setCookie) ? setCookie[0] : setCookie;
  const pair = header?.split(';')[0];
  if (!pair) throw new Error(`no session cookie in ${String(setCookie)}`);
  return pair;
};

/** Signs in to the console as `role`: the session cookie and the CSRF token the page would hold. */
export const consoleSignIn = async (t: TestApp, role: Role): Promise<{ cookie: string; csrfToken: string }> => {
  const response = await t.app.inject({ method: 'POST', url: '/console/session', payload: { token: tokens[role] } });
  if (response.statusCode !== 200) throw new Error(`sign-in as ${role} failed: ${response.body}`);
  return {
    cookie: sessionCookieOf(response.headers['set-cookie']),
    csrfToken: response.json<{ csrfToken: string }>().csrfToken,
  };
};
