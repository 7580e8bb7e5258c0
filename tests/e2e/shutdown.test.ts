import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer, type Server } from './serverProcess.js';

const TOKEN = 'shutdown-test-secretariat-token-01';
const env = { LEDGER_TOKENS: `secretariat:${TOKEN}` };
const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-shutdown-'));
  dirs.push(dir);
  return dir;
};

/** The exit code, or the signal that ended the process; a process still running after `withinMs` is killed and fails. */
const exitOf = (server: Server, withinMs = 20_000) =>
  new Promise<number | string>((resolve) => {
    const hung = setTimeout(() => server.child.kill('SIGKILL'), withinMs);
    server.child.once('exit', (code, signal) => {
      clearTimeout(hung);
      resolve(code ?? `killed by ${signal}`);
    });
  });

const scheduleMeeting = async (baseUrl: string, i: number): Promise<string | undefined> => {
  const response = await fetch(`${baseUrl}/v1/meetings`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      title: `Small Group meeting ${i}`,
      forum: 'plenary',
      startsAt: '2017-07-13T09:00:00-04:00',
      location: 'Washington, D.C.',
    }),
  });
  return response.status === 201 ? ((await response.json()) as { meetingId: string }).meetingId : undefined;
};

/** Ten clients scheduling meetings until the server stops answering; resolves to the meetings it acknowledged. */
const scheduleUntilRefused = (baseUrl: string) => {
  const acknowledged: string[] = [];
  let sent = 0;
  const clients = Array.from({ length: 10 }, async () => {
    for (;;) {
      const meetingId = await scheduleMeeting(baseUrl, (sent += 1)).catch(() => undefined);
      if (!meetingId) return; // refused (503 while closing) or the connection is gone
      acknowledged.push(meetingId);
    }
  });
  return { acknowledged, done: Promise.all(clients).then(() => acknowledged) };
};

const requestLogLines = async (baseUrl: string, requests: number) => {
  let sent = 0;
  const client = async () => {
    while ((sent += 1) <= requests)
      await fetch(`${baseUrl}/v1/agenda`, { headers: { authorization: `Bearer ${TOKEN}` } });
  };
  await Promise.all(Array.from({ length: 10 }, client));
};

/**
 * A request whose body never finishes: the stop waits for it (up to its grace), so a signal sent
 * after the stop began surely arrives while it is under way, however fast the rest of it is.
 */
const halfSentRequest = (baseUrl: string): Promise<Socket> =>
  new Promise((resolve, reject) => {
    const { hostname, port } = new URL(baseUrl);
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        `POST /v1/meetings HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAuthorization: Bearer ${TOKEN}\r\n` +
          'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"title":',
      );
      resolve(socket);
    });
    socket.on('error', () => undefined); // closed by the server at the end of its grace
    socket.once('error', reject);
  });

/** Whether a log line says the server received a request from this client port. */
const receivedFrom = (line: string, port: number | undefined): boolean => {
  if (!line.includes('"request received"')) return false;
  return (JSON.parse(line) as { remotePort?: number }).remotePort === port;
};

describe('stopping the compiled server', () => {
  it('absorbs a second SIGTERM during the stop, keeps every acknowledged command and exits 0', async () => {
    const dataDir = freshDir();
    // At debug the server logs each request as it arrives: the witness that it took the slow one in.
    const server = await startServer(dataDir, { ...env, LOG_LEVEL: 'debug' });
    const load = scheduleUntilRefused(server.baseUrl);
    await expect.poll(() => load.acknowledged.length, { timeout: 20_000 }).toBeGreaterThan(100);
    const slow = await halfSentRequest(server.baseUrl);
    // Held only once the server took its headers in (before that, a stop would refuse it at once).
    await expect
      .poll(() => server.stdout.some((line) => receivedFrom(line, slow.localPort)), { timeout: 10_000 })
      .toBe(true);

    const exited = exitOf(server);
    server.child.kill('SIGTERM');
    // The second signal arrives once the stop is under way, as a supervisor or npm repeating it would.
    await expect
      .poll(() => server.output.some((line) => line.includes('shutting down')), { timeout: 10_000 })
      .toBe(true);
    server.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    slow.destroy();
    const acknowledged = await load.done;

    expect(server.output.join('\n')).toContain('already shutting down; signal ignored');
    const db = new Database(join(dataDir, 'ledger.sqlite'), { readonly: true });
    try {
      const stored = new Set(
        db
          .prepare<[], { stream_id: string }>("SELECT stream_id FROM events WHERE type = 'MeetingScheduled'")
          .all()
          .map((row) => row.stream_id),
      );
      expect(acknowledged.filter((meetingId) => !stored.has(`meeting-${meetingId}`))).toEqual([]);
    } finally {
      db.close();
    }
  }, 60_000);

  it('exits 0 after SIGTERM while its stdout reader has stopped reading, with log lines queued', async () => {
    const server = await startServer(freshDir(), env, { stallStdoutOnceListening: true });
    try {
      // A log line a request: enough to fill the pipe, so the server's writes queue behind it.
      await requestLogLines(server.baseUrl, 3_000);
      const exited = exitOf(server);
      server.child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      server.child.stdout?.destroy();
    }
  }, 60_000);

  it('exits 0 after SIGTERM once its stdout reader is gone, with log lines queued', async () => {
    const server = await startServer(freshDir(), env, { stallStdoutOnceListening: true });
    await requestLogLines(server.baseUrl, 3_000);
    server.child.stdout?.destroy();
    const exited = exitOf(server);
    server.child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 60_000);
});
