import Database from '../../src/sqliteDriver.js';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectJson, expectProblem, members, post, smallGroup } from './fixtures.js';
import { startTestApp, type TestApp } from './testApp.js';

let t: TestApp;
beforeEach(async () => {
  t = await startTestApp();
});
afterEach(async () => {
  await t.close();
});

/** What a caller must never read in a problem: stacks, file paths, SQL, driver names. */
const expectNoInternals = (body: Record<string, unknown>) => {
  expect(Object.keys(body).sort()).toEqual(['detail', 'instance', 'status', 'title', 'type']);
  const text = JSON.stringify(body);
  for (const leak of [
    /\bat .+\(.+:\d+:\d+\)/,
    /\.ts\b|\.js\b|node_modules/,
    /SQLITE|sqlite|better-sqlite3/,
    /\b(SELECT|INSERT|UPDATE|DROP|TABLE)\b/,
    /secret/,
  ]) {
    expect(text).not.toMatch(leak);
  }
};

describe('5xx answers', () => {
  it('answers 503 with Retry-After and a bare problem when the store is closed, and says so on /readyz', async () => {
    await t.ledger.store.close();
    const res = await post(t, '/v1/members', members.iraq);
    expectNoInternals(expectProblem(res, 503, 'store-unavailable'));
    expect(res.headers['retry-after']).toMatch(/^\d+$/);
    expectNoInternals(expectProblem(await t.as(null, { method: 'GET', url: '/readyz' }), 503, 'store-unavailable'));
    expect(expectJson(await t.as(null, { method: 'GET', url: '/healthz' }), 200)).toEqual({ status: 'ok' });
  });

  it('answers 503 without the SQL error when the store cannot read its tables', async () => {
    const db = new Database(join(t.ledger.config.dataDir, 'ledger.sqlite'));
    db.exec('ALTER TABLE events RENAME TO events_gone');
    db.close();
    const res = await t.as('auditor', { method: 'GET', url: '/v1/events' });
    expectNoInternals(expectProblem(res, 503, 'store-unavailable'));
    expect(res.headers['retry-after']).toMatch(/^\d+$/);
    expectProblem(await t.as(null, { method: 'GET', url: '/readyz' }), 503, 'store-unavailable');
  });

  it('answers 500 with nothing but the request id when an append fails inside SQLite', async () => {
    const db = new Database(join(t.ledger.config.dataDir, 'ledger.sqlite'));
    db.exec(
      `CREATE TRIGGER explode BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'no such column: secret in SELECT secret FROM events'); END;`,
    );
    db.close();
    const res = await post(t, '/v1/meetings', smallGroup, { 'x-request-id': 'trace-small-group' });
    const problem = expectProblem(res, 500, 'internal');
    expectNoInternals(problem);
    // The id to quote is the server's own, never the client's: the log is keyed by it.
    expect(problem.detail).toContain(String(res.headers['x-request-id']));
    expect(problem.detail).not.toContain('trace-small-group');
    expect(await t.eventCount()).toBe(0);
  });
});
