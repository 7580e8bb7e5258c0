import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, tokens, type TestApp } from './testApp.js';

let running: TestApp | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});
const start = async (env: Record<string, string>) => (running = await startTestApp(env, { protect: true }));

const schedule = {
  method: 'POST' as const,
  url: '/v1/meetings',
  payload: {
    title: 'Coalition Small Group',
    forum: 'small-group',
    startsAt: '2017-07-13T13:00:00Z',
    endsAt: '2017-07-13T21:00:00Z',
    location: 'Washington, D.C.',
  },
};

describe('rate limit per token', () => {
  it('answers 429 problem+json with Retry-After once a token used up its requests, appending nothing', async () => {
    const { as, eventCount } = await start({ LEDGER_RATE_LIMIT: '3' });
    for (let i = 0; i < 3; i += 1) expect((await as('secretariat', schedule)).statusCode).toBe(201);
    const refused = await as('secretariat', schedule);
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    expect(refused.json()).toMatchObject({ type: 'urn:meeting-ledger:problem:too-many-requests', status: 429 });
    expect(await eventCount()).toBe(3);
    expect(refused.body).not.toContain(tokens.secretariat);
  });

  it('counts each token on its own, and never limits the health probes', async () => {
    const { as, app } = await start({ LEDGER_RATE_LIMIT: '2' });
    for (let i = 0; i < 3; i += 1) await as('secretariat', { method: 'GET', url: '/v1/agenda' });
    expect((await as('secretariat', { method: 'GET', url: '/v1/agenda' })).statusCode).toBe(429);
    expect((await as('reporter', { method: 'GET', url: '/v1/agenda' })).statusCode).toBe(200);
    for (let i = 0; i < 5; i += 1) expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
  });
});

describe('rate limit before access control', () => {
  it('limits requests with no known token by address, so guessing tokens is limited too', async () => {
    const { app } = await start({ LEDGER_RATE_LIMIT: '3' });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const guess = await app.inject({
        url: '/v1/agenda',
        headers: { authorization: `Bearer guess-${i}-0123456789abcd` },
      });
      statuses.push(guess.statusCode);
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    expect((await app.inject({ url: '/healthz?probe=1' })).statusCode).toBe(200);
  });
});

describe('security headers', () => {
  it('sends helmet’s headers on API answers and problems alike, and still serves the API docs', async () => {
    const { as, app } = await start({});
    for (const response of [
      await as('reporter', { method: 'GET', url: '/v1/agenda' }),
      await as(null, { method: 'GET', url: '/v1/agenda' }),
    ]) {
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['strict-transport-security']).toBeDefined();
      expect(response.headers['content-security-policy']).toBeDefined();
      expect(response.headers['x-powered-by']).toBeUndefined();
    }
    expect((await app.inject({ url: '/docs/' })).statusCode).toBe(200);
  });

  it('gives the console page a policy without inline styles, and leaves the API docs theirs', async () => {
    // Given the ledger's app
    const { app } = await start({});
    // When the console page and the API docs are asked for
    const policyOf = async (url: string) =>
      String((await app.inject({ url })).headers['content-security-policy']).split(';');
    // Then the console allows scripts and styles from the ledger only; Swagger UI keeps helmet's default
    const consolePolicy = await policyOf('/');
    expect(consolePolicy).toContain("style-src 'self'");
    expect(consolePolicy).toContain("script-src 'self'");
    expect(consolePolicy).toContain("script-src-attr 'none'");
    expect(await policyOf('/docs/')).toContain("style-src 'self' https: 'unsafe-inline'");
  });
});

describe('CORS', () => {
  const preflight = (origin: string) => ({
    method: 'OPTIONS' as const,
    url: '/v1/meetings',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
  });

  it('is off unless origins are configured: a browser gets no access headers', async () => {
    const { as } = await start({});
    const response = await as('reporter', {
      method: 'GET',
      url: '/v1/agenda',
      headers: { origin: 'https://evil.example' },
    });
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
    expect((await as(null, preflight('https://evil.example'))).headers['access-control-allow-origin']).toBeUndefined();
  });

  it('allows exactly the configured origins', async () => {
    const { as } = await start({ LEDGER_CORS_ORIGINS: 'https://secretariat.example' });
    const allowed = await as(null, preflight('https://secretariat.example'));
    expect(allowed.statusCode).toBeLessThan(300);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://secretariat.example');
    expect(allowed.headers['access-control-allow-headers']).toMatch(/Authorization/i);
    const other = await as(null, preflight('https://evil.example'));
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const read = await as('reporter', {
      method: 'GET',
      url: '/v1/agenda',
      headers: { origin: 'https://secretariat.example' },
    });
    expect(read.headers['access-control-allow-origin']).toBe('https://secretariat.example');
    expect(read.headers['access-control-expose-headers']).toMatch(/ETag/);
    // A browser client reads the asOf notice (an instant before the first event) too.
    expect(read.headers['access-control-expose-headers']).toMatch(/Ledger-Notice/);
  });
});

describe('load shedding', () => {
  it('answers 503 problem+json with Retry-After while the event loop lags, and keeps the probes answering', async () => {
    const { as, app } = await start({ LEDGER_MAX_EVENT_LOOP_DELAY_MS: '10' });
    // Block the event loop for a while, then give the sampler a moment to see it.
    const until = Date.now() + 1_500;
    while (Date.now() < until) {
      // busy: this is the pressure
    }
    let shed: Awaited<ReturnType<typeof as>> | undefined;
    const read = async () => (shed = await as('reporter', { method: 'GET', url: '/v1/agenda' })).statusCode;
    await expect.poll(read, { timeout: 5_000 }).toBe(503);
    expect(shed?.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(shed?.headers['retry-after']).toBe('1');
    expect(shed?.json()).toMatchObject({ type: 'urn:meeting-ledger:problem:overloaded' });
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
  });
});

describe('secrets in answers', () => {
  it('never echoes a token, known or not, in a refusal', async () => {
    const { as, app } = await start({});
    const unknown = 'not-a-known-token-but-secret-0123';
    const refusals = [
      await app.inject({ url: '/v1/agenda', headers: { authorization: `Bearer ${unknown}` } }),
      await app.inject({ url: '/v1/agenda', headers: { authorization: `Basic ${unknown}` } }),
      await as('reporter', { method: 'POST', url: '/v1/meetings', payload: schedule.payload }),
      await as('secretariat', {
        method: 'POST',
        url: '/v1/meetings',
        payload: '{"title":',
        headers: { 'content-type': 'application/json' },
      }),
    ];
    expect(refusals.map((r) => r.statusCode)).toEqual([401, 401, 403, 400]);
    for (const refusal of refusals) {
      const text = `${JSON.stringify(refusal.headers)}${refusal.body}`;
      for (const secret of [unknown, ...Object.values(tokens)]) expect(text).not.toContain(secret);
    }
  });
});
