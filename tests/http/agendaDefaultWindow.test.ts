import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectJson, plenary, schedule } from './fixtures.js';
import { startTestApp, type TestApp } from './testApp.js';

type Agenda = { position: number; from: string | null; meetings: { title: string }[]; next: string | null };

const DAY = 86_400_000;
let t: TestApp;

// Meetings placed around the real clock, since the default window is relative to now: one held
// 40 days ago, one 10 days ago, one in 10 days.
const daysFromNow = (days: number) => new Date(Date.now() + days * DAY).toISOString();
const meeting = (title: string, days: number) => ({
  ...plenary,
  title,
  startsAt: daysFromNow(days),
  endsAt: daysFromNow(days + 0.25),
});

beforeAll(async () => {
  t = await startTestApp();
  await schedule(t, meeting('Held 40 days ago', -40));
  await schedule(t, meeting('Held 10 days ago', -10));
  await schedule(t, meeting('In 10 days', 10));
  const head = await t.ledger.store.headPosition();
  await t.as('reporter', { method: 'GET', url: `/v1/agenda?minPosition=${head}` });
});
afterAll(async () => {
  await t.close();
});

const agenda = async (query = '') =>
  expectJson<Agenda>(await t.as('reporter', { method: 'GET', url: `/v1/agenda${query}` }), 200);

describe('GET /v1/agenda without from', () => {
  it('lists the recent and upcoming meetings, from 30 days ago, and says which bound it applied', async () => {
    const before = Date.now();
    const answer = await agenda();
    const after = Date.now();
    expect(answer.meetings.map((m) => m.title)).toEqual(['Held 10 days ago', 'In 10 days']);
    const from = Date.parse(answer.from!);
    expect(from).toBeGreaterThanOrEqual(before - 30 * DAY);
    expect(from).toBeLessThanOrEqual(after - 30 * DAY);
  });

  it('keeps the bound it applied on the following pages', async () => {
    const first = await agenda('?limit=1');
    expect(first.meetings.map((m) => m.title)).toEqual(['Held 10 days ago']);
    const second = await agenda(`?limit=1&cursor=${first.next!}`);
    expect(second).toMatchObject({ from: first.from, meetings: [{ title: 'In 10 days' }], next: null });
  });

  it('echoes a from it was given, and answers null for the beginning with a business date', async () => {
    const given = await agenda('?from=2000-01-01T00:00:00Z');
    expect(given.from).toBe('2000-01-01T00:00:00.000Z');
    expect(given.meetings).toHaveLength(3);
    const dated = await agenda(`?at=${daysFromNow(0).slice(0, 10)}`);
    expect(dated.from).toBeNull();
    expect(dated.meetings.map((m) => m.title)).toEqual(['Held 40 days ago', 'Held 10 days ago']);
  });
});
