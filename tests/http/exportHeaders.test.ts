import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectJson, members, plenary, post, schedule, smallGroup } from './fixtures.js';
import { startTestApp, type TestApp } from './testApp.js';

let t: TestApp;
let position: number;
const SINCE_2017 = 'from=2017-01-01T00:00:00Z';

beforeAll(async () => {
  t = await startTestApp();
  await post(t, '/v1/members', members.iraq);
  await schedule(t, smallGroup);
  position = expectJson<{ position: number }>(await post(t, '/v1/meetings', plenary), 201).position;
  // Every projection has applied the last write before the tests compare answers.
  await t.as('reporter', { method: 'GET', url: `/v1/agenda?${SINCE_2017}&minPosition=${position}` });
  await t.as('reporter', { method: 'GET', url: `/v1/timeline?minPosition=${position}` });
  await t.as('reporter', { method: 'GET', url: `/v1/attendance?minPosition=${position}` });
});
afterAll(async () => {
  await t.close();
});

const get = (url: string, headers: Record<string, string> = {}) => t.as('reporter', { method: 'GET', url, headers });
const csv = { accept: 'text/csv' };

/** Each negotiated route in each of its representations. */
const representations = [
  { name: 'agenda JSON', url: `/v1/agenda?${SINCE_2017}`, headers: {} },
  { name: 'agenda CSV', url: `/v1/agenda?${SINCE_2017}`, headers: csv },
  { name: 'agenda CSV with a BOM', url: `/v1/agenda?${SINCE_2017}&bom=1`, headers: csv },
  { name: 'agenda iCalendar', url: `/v1/agenda.ics?${SINCE_2017}`, headers: {} },
  { name: 'timeline JSON', url: '/v1/timeline', headers: {} },
  { name: 'timeline CSV', url: '/v1/timeline', headers: csv },
  { name: 'attendance JSON', url: '/v1/attendance', headers: {} },
  { name: 'attendance CSV', url: '/v1/attendance', headers: csv },
];

describe('exports and their representations', () => {
  it('gives each representation of the same position its own ETag, and says it varies by Accept', async () => {
    const tags = new Map<string, string>();
    for (const { name, url, headers } of representations) {
      const res = await get(url, headers);
      expect(res.statusCode, name).toBe(200);
      expect(res.headers.vary, name).toMatch(/\bAccept\b/);
      tags.set(name, String(res.headers.etag));
    }
    expect(new Set(tags.values()).size).toBe(representations.length);
    expect(tags.get('timeline CSV')).toContain(String(position));
  });

  it('answers 304 to the ETag of the same representation only', async () => {
    for (const { name, url, headers } of representations) {
      const etag = String((await get(url, headers)).headers.etag);
      expect((await get(url, { ...headers, 'if-none-match': etag })).statusCode, name).toBe(304);
      for (const other of representations.filter((r) => r.url === url && r.name !== name)) {
        expect((await get(other.url, { ...other.headers, 'if-none-match': etag })).statusCode, other.name).toBe(200);
      }
    }
  });

  it('names CSV and iCalendar downloads after the projection and the position they show', async () => {
    const timeline = await get('/v1/timeline', csv);
    expect(timeline.headers['content-disposition']).toBe(`attachment; filename="timeline-${position}.csv"`);
    const agenda = await get(`/v1/agenda.ics?${SINCE_2017}`);
    expect(agenda.headers['content-disposition']).toBe(`attachment; filename="agenda-${position}.ics"`);
    const one = await get('/v1/attendance/iraq', csv);
    expect(one.headers['content-disposition']).toBe(`attachment; filename="attendance-iraq-${position}.csv"`);
    const json = await get('/v1/timeline');
    expect(json.headers['content-disposition']).toBeUndefined();
  });

  it('starts a CSV with a UTF-8 byte order mark only when asked with bom=1', async () => {
    const plain = await get('/v1/timeline', csv);
    expect(plain.rawPayload[0]).toBe(0x22); // the quote of the first header
    const marked = await get('/v1/timeline?bom=1', csv);
    expect([...marked.rawPayload.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(marked.rawPayload.subarray(3).equals(plain.rawPayload)).toBe(true);
    expect(marked.headers['content-type']).toBe('text/csv; charset=utf-8; header=present');
  });

  it('refuses a bom value other than 0 or 1', async () => {
    expect((await get('/v1/timeline?bom=yes', csv)).statusCode).toBe(400);
  });
});
