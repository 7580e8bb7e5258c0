import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/config.js';
import { expectProblem, schedule, smallGroup, watchLog } from './fixtures.js';
import { servedRoutes } from './routeTable.js';
import { startTestApp, tokens, type TestApp } from './testApp.js';

// A real collection before measuring the heap, so the bound below is about what was kept.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

let t: TestApp;
let meetingId: string;
beforeAll(async () => {
  t = await startTestApp();
  meetingId = await schedule(t, smallGroup);
});
afterAll(async () => {
  await t.close();
});

/** Strings that have broken parsers, stores and templates before. */
const hostileStrings = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\uffff',
  '../../etc/passwd',
  "'; DROP TABLE events;--",
  '${7*7}',
  '<script>alert(1)</script>',
  '__proto__',
  'constructor',
  '-1',
  '1e309',
  '9007199254740993',
  'NaN',
  '2017-02-30T00:00:00Z',
  '2017-13-01',
  '10000-01-01T00:00:00Z',
  '"2"',
  'A'.repeat(5_000),
];
/** Percent-encodes every byte (a lone surrogate, which encodeURIComponent refuses, goes as U+FFFD). */
const encode = (value: string) =>
  Array.from(Buffer.from(value, 'utf8'), (b) => `%${b.toString(16).padStart(2, '0')}`).join('');

const hostile = fc.oneof(
  fc.constantFrom(...hostileStrings),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
);

/** Bodies that are not what a route wants: broken JSON, deep or huge documents, prototype keys, wrong types. */
const hostileBody = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 60 }),
  fc.constantFrom(
    '{"title":',
    '{"__proto__":{"admin":true},"title":"Plenary"}',
    '{"constructor":{"prototype":{"polluted":true}}}',
    '{"summary":"\\ud800","kind":"decision"}',
    '{"summary":"a\\u0000b","kind":"decision"}',
    `${'['.repeat(5_000)}${']'.repeat(5_000)}`,
    `{"agenda":[${Array.from({ length: 20_000 }, () => '{"title":"x"}').join(',')}]}`,
    JSON.stringify({ startsAt: '2017-02-30T09:00:00Z', title: 'x', forum: 'plenary', location: 'x' }),
    JSON.stringify({ limit: '10', revision: '3', status: 1 }),
    JSON.stringify({ kind: 'assessment', summary: 'x'.repeat(2_000_000) }),
  ),
);
const queryParams = [
  'after',
  'limit',
  'from',
  'to',
  'asOf',
  'minPosition',
  'waitMs',
  'theatre',
  'forum',
  'status',
  'participantId',
  'position',
  'treeSize',
  'from',
  'to',
  'x',
  '__proto__',
];
const hostileQuery = fc
  .array(fc.tuple(fc.constantFrom(...queryParams), hostile), { maxLength: 4 })
  .map((pairs) => pairs.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&'));
const hostileHeaders = fc.record(
  {
    accept: fc.oneof(fc.constantFrom('text/csv', 'text/calendar', '*/*', 'application/json;q=0'), hostile),
    'if-match': hostile,
    'if-none-match': hostile,
    'idempotency-key': hostile,
    'x-correlation-id': hostile,
    'content-type': fc.oneof(
      fc.constantFrom(
        'application/json',
        'application/json; charset=latin1',
        'text/plain',
        'application/x-www-form-urlencoded',
      ),
      hostile,
    ),
  },
  { requiredKeys: [] },
);
const roles: (Role | null)[] = ['secretariat', 'auditor', 'reporter', null];

// The live feed never ends by design: it has its own hostile-input tests (live.test.ts).
const routes = () =>
  servedRoutes(t.app).filter(
    (r) => !r.path.startsWith('/v1/events/live') && !r.path.startsWith('/docs') && r.method !== 'HEAD',
  );

/** Header values a real client could send: no control characters (Node refuses those before the app). */
const sendable = (headers: Record<string, string>) =>
  Object.fromEntries(Object.entries(headers).filter(([, v]) => /^[\t\x20-\x7e\x80-\xff]*$/.test(v)));

describe('every route under hostile input', () => {
  it('answers with a 2xx, 3xx or a 4xx problem+json, never a 5xx, and appends nothing when it refuses', async () => {
    collectGarbage();
    const heapBefore = process.memoryUsage().heapUsed;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes()),
        hostile,
        hostileQuery,
        hostileHeaders,
        hostileBody,
        fc.constantFrom(...roles),
        fc.boolean(),
        async (route, param, query, headers, body, role, realMeeting) => {
          const id = realMeeting ? meetingId : encode(param);
          const path = route.path.replace(':id', id).replace(':outcomeId', encode(param));
          const log = await watchLog(t);
          const url = `${path}${query ? `?${query}` : ''}`;
          const options: InjectOptions = {
            method: route.method,
            url,
            headers: {
              'content-type': 'application/json',
              ...sendable(headers),
              ...(role && { authorization: `Bearer ${tokens[role]}` }),
            },
            ...(route.method === 'POST' && { payload: body }),
          };
          const res = await t.app.inject(options);
          expect(res.statusCode, `${route.method} ${url}: ${res.body.slice(0, 300)}`).toBeLessThan(500);
          if (res.statusCode >= 400) {
            expectProblem(res, res.statusCode);
            await log.expectUnchanged();
          }
        },
      ),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 400) },
    );
    // Still healthy, and what the requests allocated was not kept.
    expect((await t.app.inject({ url: '/healthz' })).statusCode).toBe(200);
    collectGarbage();
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);
  }, 120_000);
});
