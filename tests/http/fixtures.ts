import { expect } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import type { RecordedEvent } from '../../src/eventStore/eventStore.js';
import type { TestApp } from './testApp.js';

// Request bodies drawn from the State Department media note of 5 July 2017 (shared/seed): the
// working groups of 11 July, the plenary of 12 July and the Small Group of 13 July, in Washington.

export const ULID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;
export const PROBLEM_TYPE = /^urn:meeting-ledger:problem:[a-z-]+$/;

export const members = {
  unitedStates: { memberId: 'united-states', name: 'United States of America', kind: 'state' },
  iraq: { memberId: 'iraq', name: 'Republic of Iraq', kind: 'state' },
  france: { memberId: 'france', name: 'French Republic', kind: 'state' },
} as const;

export const smallGroup = {
  title: 'Meeting of the Small Group of the Global Coalition to Defeat ISIS',
  forum: 'small-group',
  // Washington is on EDT (UTC-4) in July; the ledger keeps instants in UTC.
  startsAt: '2017-07-13T09:00:00-04:00',
  endsAt: '2017-07-13T17:00:00-04:00',
  location: 'Washington, DC',
  host: 'Special Presidential Envoy Brett McGurk',
  agenda: [
    { itemId: 'mosul-and-raqqa', title: 'Priorities to build on the progress in Mosul and Raqqa' },
    { itemId: 'lake-chad-basin', title: 'Special session on the ISIS threat in the Lake Chad Basin' },
  ],
};

export const plenary = {
  title: 'Meeting of the full 72-member Global Coalition to Defeat ISIS',
  forum: 'plenary',
  startsAt: '2017-07-12T13:00:00Z',
  endsAt: '2017-07-12T21:00:00Z',
  location: 'Washington, DC',
  agenda: [
    { title: 'Accelerating efforts in the remaining areas ISIS holds in Iraq and Syria' },
    { title: 'Pressure on branches, affiliates and networks' },
  ],
};

export const workingGroup = (
  slug: 'counter-finance' | 'foreign-terrorist-fighters' | 'stabilization-support' | 'communications',
) => ({
  title: `Working Group on ${slug.replaceAll('-', ' ')}`,
  forum: `working-group/${slug}`,
  startsAt: '2017-07-11T13:00:00Z',
  location: 'Washington, DC',
});

export const observers = {
  africanUnion: {
    observerId: 'african-union',
    name: 'African Union',
    kind: 'organization',
    session: 'lake-chad-basin',
  },
  mnjtf: {
    observerId: 'mnjtf',
    name: 'Multi National Joint Task Force',
    kind: 'organization',
    session: 'lake-chad-basin',
  },
} as const;

export const outcomes = {
  mosul: {
    kind: 'assessment',
    summary: 'Mosul is on the verge of liberation by the Iraqi Security Forces',
    theatre: 'mosul',
    stage: 'verge-of-liberation',
    agendaItemId: 'mosul-and-raqqa',
    occurredOn: '2017-07-13',
  },
  raqqa: {
    kind: 'assessment',
    summary: 'The Syrian Democratic Forces have taken the fight against ISIS directly to Raqqa',
    theatre: 'raqqa',
    stage: 'offensive-underway',
  },
  lakeChad: {
    kind: 'commitment',
    summary: 'Intensify pressure on ISIS in the Lake Chad Basin with the African Union and the MNJTF',
    theatre: 'lake-chad-basin',
    agendaItemId: 'lake-chad-basin',
  },
} as const;

export const json = <T = Record<string, unknown>>(res: LightMyRequestResponse): T => res.json<T>();

export const post = (t: TestApp, url: string, payload?: object | string, headers: Record<string, string> = {}) =>
  t.as('secretariat', { method: 'POST', url, headers, ...(payload !== undefined && { payload }) });

/** Schedules a meeting as the secretariat and returns its id. */
export const schedule = async (t: TestApp, body: object = smallGroup): Promise<string> => {
  const res = await post(t, '/v1/meetings', body);
  expect(res.statusCode, res.body).toBe(201);
  return json<{ meetingId: string }>(res).meetingId;
};

/** Watches the log from now on: what a request appended, or the proof that it appended nothing. */
export const watchLog = async (t: TestApp) => {
  const head = await t.ledger.store.headPosition();
  const count = await t.eventCount();
  return {
    appended: (): Promise<RecordedEvent[]> => t.ledger.store.readAll({ after: head }),
    expectUnchanged: async () => expect(await t.eventCount()).toBe(count),
  };
};

/** Asserts an RFC 9457 problem document with the status, and the ledger's problem code when given. */
export const expectProblem = (res: LightMyRequestResponse, status: number, code?: string) => {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = json<Record<string, unknown>>(res);
  expect(body).toMatchObject({
    type: expect.stringMatching(PROBLEM_TYPE),
    title: expect.any(String),
    status,
    detail: expect.any(String),
  });
  if (code !== undefined) expect(body.type).toBe(`urn:meeting-ledger:problem:${code}`);
  expect(body).not.toHaveProperty('stack');
  return body;
};

/** Asserts a JSON success with the status. */
export const expectJson = <T = Record<string, unknown>>(res: LightMyRequestResponse, status: number): T => {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  return json<T>(res);
};
