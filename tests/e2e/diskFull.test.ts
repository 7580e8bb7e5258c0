import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, stop, type Server } from './serverProcess.js';

const TOKEN = 'disk-full-secretariat-token-0123';
const AUDITOR = 'disk-full-auditor-token-01234567';
const mountPoint = mkdtempSync(join(tmpdir(), 'ledger-tinyfs-'));

/** A tiny tmpfs for the data directory: the real "disk full", where the machine lets us mount one. */
const mountTiny = (): string | undefined => {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', mountPoint], { stdio: 'pipe' });
    return undefined;
  } catch (error) {
    return String((error as Error).message).split('\n')[0];
  }
};
const cannotMount = mountTiny();
if (cannotMount) {
  console.warn(`disk-full test SKIPPED: cannot mount a tmpfs here (${cannotMount})`);
}

let server: Server;
beforeAll(async () => {
  if (cannotMount) return;
  server = await startServer(mountPoint, {
    LEDGER_TOKENS: `secretariat:${TOKEN},auditor:${AUDITOR}`,
    LOG_LEVEL: 'fatal',
    LEDGER_CHECKPOINT_EVERY_EVENTS: '50',
  });
}, 30_000);

afterAll(async () => {
  if (!cannotMount) {
    await stop(server);
    execFileSync('umount', [mountPoint]);
  }
  rmSync(mountPoint, { recursive: true, force: true });
});

const request = async (path: string, token: string, body?: unknown, key?: string) => {
  const response = await fetch(`${server.baseUrl}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined && { 'content-type': 'application/json' }),
      ...(key && { 'idempotency-key': key }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    retryAfter: response.headers.get('retry-after'),
    body: (await response.json()) as Record<string, unknown>,
  };
};

describe.skipIf(cannotMount !== undefined)('SQLite on a disk that fills up', () => {
  it('answers 503 with Retry-After, stays healthy, and serves again once there is room', async () => {
    const scheduled = await request('/v1/meetings', TOKEN, {
      title: 'Coalition Plenary',
      forum: 'plenary',
      startsAt: '2017-07-12T13:00:00Z',
      endsAt: '2017-07-12T21:00:00Z',
      location: 'Washington, D.C.',
    });
    expect(scheduled.status).toBe(201);
    const meetingId = scheduled.body.meetingId as string;
    const summary = 'Mosul: the campaign to liberate the city is on the verge of success. '.repeat(50);
    const acknowledged: string[] = [];
    const refused: Awaited<ReturnType<typeof request>>[] = [];
    // When commands keep coming until the disk is full
    for (let i = 0; i < 2_000 && refused.length < 20; i += 1) {
      const answer = await request(
        `/v1/meetings/${meetingId}/outcomes`,
        TOKEN,
        { kind: 'assessment', summary },
        `full-${i}`,
      );
      if (answer.status === 200) acknowledged.push(`full-${i}`);
      else refused.push(answer);
    }
    // Then each refusal is a clear 503, never a 500, and the process stays up
    expect(refused.length).toBeGreaterThan(0);
    for (const answer of refused) {
      expect(answer.status).toBe(503);
      expect(answer.type).toMatch(/^application\/problem\+json/);
      expect(answer.retryAfter).toMatch(/^\d+$/);
    }
    expect((await fetch(`${server.baseUrl}/healthz`)).status).toBe(200);

    // When room is made, the ledger takes commands again without a restart
    execFileSync('mount', ['-o', 'remount,size=64m', mountPoint]);
    const after = await request(`/v1/meetings/${meetingId}/outcomes`, TOKEN, {
      kind: 'decision',
      summary: 'room again',
    });
    expect(after.status).toBe(200);

    // And nothing acknowledged was lost or damaged
    const meeting = await request(`/v1/meetings/${meetingId}`, TOKEN);
    expect((meeting.body.outcomes as unknown[]).length).toBe(acknowledged.length + 1);
    await expect
      .poll(async () => (await request('/v1/audit/verify', AUDITOR)).body.ok, { timeout: 15_000, interval: 200 })
      .toBe(true);
  }, 120_000);
});
