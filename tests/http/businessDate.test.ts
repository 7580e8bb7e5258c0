import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectJson, expectProblem, outcomes, plenary, post, schedule, smallGroup } from './fixtures.js';
import { startTestApp, type TestApp } from './testApp.js';

type Accepted = { position: number };
type Agenda = { position: number; meetings: { title: string }[] };
type Timeline = {
  position: number;
  entries: { date: string; theatre: string; stage: string | null }[];
  theatres: { theatre: string; stage: string; since: string }[];
};

let t: TestApp;
let beforeRaqqa: number;

// Mosul contested on 5 July, on the verge of liberation on 10 July (both dated by occurredOn); Raqqa
// with no date of its own: the day its meeting (the Small Group, 13 July) starts.
beforeAll(async () => {
  t = await startTestApp();
  await schedule(t, plenary);
  const id = await schedule(t, smallGroup);
  const record = async (body: object) =>
    expectJson<Accepted>(await post(t, `/v1/meetings/${id}/outcomes`, body), 200).position;
  await record({ ...outcomes.mosul, stage: 'contested', occurredOn: '2017-07-05' });
  beforeRaqqa = await record({ ...outcomes.mosul, occurredOn: '2017-07-10' });
  const head = await record(outcomes.raqqa);
  await get(`/v1/timeline?minPosition=${head}`);
  await get(`/v1/agenda?minPosition=${head}`);
});
afterAll(async () => {
  await t.close();
});

const get = (url: string, role: 'secretariat' | 'reporter' = 'reporter') => t.as(role, { method: 'GET', url });
const timeline = async (query: string) => expectJson<Timeline>(await get(`/v1/timeline?${query}`), 200);
const agendaTitles = async (query: string) =>
  expectJson<Agenda>(await get(`/v1/agenda?${query}`), 200).meetings.map((m) => m.title);

describe('at=<date>: the timeline as it stood on a business date', () => {
  it('lists only the entries dated on or before that day, each theatre at its stage of that day', async () => {
    const ninth = await timeline('at=2017-07-09');
    expect(ninth.entries.map((e) => `${e.date} ${e.theatre} ${e.stage}`)).toEqual(['2017-07-05 mosul contested']);
    expect(ninth.theatres).toEqual([{ theatre: 'mosul', stage: 'contested', since: '2017-07-05' }]);

    const tenth = await timeline('at=2017-07-10');
    expect(tenth.theatres).toEqual([{ theatre: 'mosul', stage: 'verge-of-liberation', since: '2017-07-10' }]);
  });

  it("dates an outcome with no day of its own by its meeting's start", async () => {
    expect((await timeline('at=2017-07-12')).theatres.map((s) => s.theatre)).toEqual(['mosul']);
    expect((await timeline('at=2017-07-13')).theatres.map((s) => s.theatre)).toEqual(['mosul', 'raqqa']);
  });

  it('answers nothing before the first business date, and takes the tighter of at and to', async () => {
    expect(await timeline('at=2017-07-04')).toMatchObject({ entries: [], theatres: [] });
    expect((await timeline('at=2017-07-13&to=2017-07-06')).entries).toHaveLength(1);
    expect((await timeline('at=2017-07-06&to=2017-07-31')).entries).toHaveLength(1);
  });

  it('is a question apart from asOf: at a business date, as recorded by a position', async () => {
    const recordedThen = await timeline(`at=2017-07-13&asOf=${beforeRaqqa}`);
    expect(recordedThen.position).toBe(beforeRaqqa);
    expect(recordedThen.theatres.map((s) => s.theatre)).toEqual(['mosul']);
  });

  it('exports the same entries as CSV', async () => {
    const csv = await t.as('reporter', {
      method: 'GET',
      url: '/v1/timeline?at=2017-07-09',
      headers: { accept: 'text/csv' },
    });
    expect(csv.body.trimEnd().split('\r\n')).toHaveLength(2); // the header and the one entry of 5 July
  });
});

describe('at=<date>: the meetings that had started by a business date', () => {
  it('lists the meetings that started on or before that day (UTC), from the beginning rather than from now', async () => {
    expect(await agendaTitles('at=2017-07-11')).toEqual([]);
    expect(await agendaTitles('at=2017-07-12')).toEqual([plenary.title]);
    expect(await agendaTitles('at=2017-07-13')).toEqual([plenary.title, smallGroup.title]);
    expect(await agendaTitles('at=2017-07-13&from=2017-07-13T00:00:00Z')).toEqual([smallGroup.title]);
  });

  it('answers the iCalendar file and the CSV for the same meetings', async () => {
    const ics = await get('/v1/agenda.ics?at=2017-07-12');
    expect(ics.statusCode).toBe(200);
    expect(ics.body.match(/BEGIN:VEVENT/g)).toHaveLength(1);
    const csv = await t.as('reporter', {
      method: 'GET',
      url: '/v1/agenda?at=2017-07-12',
      headers: { accept: 'text/csv' },
    });
    expect(csv.body.trimEnd().split('\r\n')).toHaveLength(2);
  });
});

describe('at=<date> refused', () => {
  it('refuses a date that is not a calendar date, and at on the attendance, with 400', async () => {
    expectProblem(await get('/v1/timeline?at=2017-07-32'), 400, 'invalid-request');
    expectProblem(await get('/v1/agenda?at=2017-07-12T00:00:00Z'), 400, 'invalid-request');
    expectProblem(await get('/v1/attendance?at=2017-07-12'), 400, 'invalid-request');
  });
});
