import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './testApp.js';

// The README's quickstart, read from the README itself: each `curl -X POST` of its first example
// block, with its headers and body, sent in order to the real app.
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const quickstart = readme.slice(readme.indexOf('Then, for example'));
const block = quickstart.slice(quickstart.indexOf('```sh\n'), quickstart.indexOf('\n```\n'));

type Step = { url: string; headers: Record<string, string>; body: string | undefined };

const steps: Step[] = block
  .replace(/\\\n\s*/g, ' ')
  .split(/\n(?!\s)/) // a line that starts with a space continues the command above (a body in quotes)
  .filter((line) => line.startsWith('curl -s -X POST'))
  .map((line) => {
    const url = /localhost:3000(\S+)/.exec(line)![1]!;
    const headers = Object.fromEntries(
      [...line.matchAll(/-H '([^:]+): ([^']*)'/g)].map(([, name, value]) => [name!.toLowerCase(), value!]),
    );
    return { url, headers, body: /-d '([^']*)'/.exec(line)?.[1] };
  });

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('the README quickstart', () => {
  it('runs as written, on a meeting of its own that repeats nothing of the demo', async () => {
    expect(steps.map((s) => s.url)).toEqual([
      '/v1/members',
      '/v1/meetings',
      '/v1/meetings/$M/observers',
      '/v1/meetings/$M/attendance',
      '/v1/meetings/$M/outcomes',
      '/v1/meetings/$M/close',
    ]);
    let meetingId = '';
    for (const step of steps) {
      const res = await t.as('secretariat', {
        method: 'POST',
        url: step.url.replace('$M', meetingId),
        headers: step.headers,
        ...(step.body !== undefined && { payload: step.body }),
      });
      expect(res.statusCode, `${step.url} ${res.body}`).toBeLessThan(300);
      meetingId ||= res.json<{ meetingId?: string }>().meetingId ?? '';
    }
    const meeting = await t.as('secretariat', { method: 'GET', url: `/v1/meetings/${meetingId}` });
    expect(meeting.json()).toMatchObject({ title: 'Quickstart example meeting', status: 'closed' });
    expect(block).not.toMatch(/small-group|lake-chad|african-union|2017-07/i);
  });
});
