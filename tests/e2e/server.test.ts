import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer, stop } from './serverProcess.js';

const waitUntilReady = async (baseUrl: string): Promise<void> => {
  const deadline = Date.now() + 20_000;
  while ((await fetch(`${baseUrl}/readyz`)).status !== 200) {
    if (Date.now() > deadline) throw new Error('not ready after 20 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

describe('the server as npm start runs it', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ledger-e2e-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('generates tokens once, keeps commands across a graceful restart, and never logs a token', async () => {
    const first = await startServer(dataDir);
    const printed = first.output.join('\n');
    const token = /secretariat\s+(\S{20,})/.exec(printed)?.[1];
    expect(token, printed).toBeDefined();
    expect(statSync(join(dataDir, 'tokens.json')).mode & 0o777).toBe(0o600);

    expect((await fetch(`${first.baseUrl}/healthz`)).status).toBe(200);
    const scheduled = await fetch(`${first.baseUrl}/v1/meetings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        title: 'Full Coalition meeting (72 members)',
        forum: 'plenary',
        startsAt: '2017-07-12T09:00:00-04:00',
        location: 'Washington, D.C.',
      }),
    });
    expect(scheduled.status).toBe(201);
    const { meetingId } = (await scheduled.json()) as { meetingId: string };
    expect(await stop(first)).toBe(0);
    // Standard output is the log stream, JSON only: the tokens were shown on standard error.
    const logLines = first.stdout.filter((line) => line !== '');
    expect(logLines.length).toBeGreaterThan(3);
    for (const line of logLines) expect(() => JSON.parse(line) as unknown, line).not.toThrow();
    for (const line of logLines) expect(line).not.toContain(token);
    const messages = logLines.map((line) => JSON.parse(line) as { msg: string; route?: string; level: number });
    // One line for the command, none at info for the probe; the lifecycle in structured lines.
    expect(messages.filter((m) => m.msg === 'request completed').map((m) => m.route)).toEqual(['/v1/meetings']);
    expect(messages.map((m) => m.msg)).toEqual(expect.arrayContaining(['listening', 'stopped']));

    // Projections deleted: the second start catches up from zero and says so once it has.
    for (const file of ['projections.sqlite', 'projections.sqlite-wal', 'projections.sqlite-shm'])
      rmSync(join(dataDir, file), { force: true });
    const second = await startServer(dataDir);
    expect(second.output.join('\n')).not.toContain('Generated API tokens');
    const meeting = await fetch(`${second.baseUrl}/v1/meetings/${meetingId}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(meeting.status).toBe(200);
    expect(await meeting.json()).toMatchObject({ meetingId, forum: 'plenary', status: 'scheduled', revision: 0 });
    // Rebuilt on a worker thread, then followed here: ready, and the agenda holds the meeting again.
    await waitUntilReady(second.baseUrl);
    const agenda = await fetch(`${second.baseUrl}/v1/agenda?from=2017-07-01T00:00:00Z`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(((await agenda.json()) as { meetings: { meetingId: string }[] }).meetings.map((m) => m.meetingId)).toEqual([
      meetingId,
    ]);
    expect(await stop(second)).toBe(0);
    expect(second.stdout.some((line) => line.includes('catching up on a worker thread'))).toBe(true);
    expect(second.stdout.filter((line) => line.includes('did not finish'))).toEqual([]);
    const caughtUp = second.stdout
      .filter((line) => line.includes('"projections caught up"'))
      .map((line) => JSON.parse(line) as { from: number; position: number; ms: number });
    expect(caughtUp).toEqual([{ ...caughtUp[0], from: 0, position: 1, worker: 'finished' }]);
  });
});
