import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describePostgres, dropSchema, TEST_DATABASE_URL, uniqueSchema } from '../eventStore/postgresTestDatabase.js';
import { startServer, stop, type Server } from './serverProcess.js';
import { TcpProxy } from './tcpProxy.js';

const TOKEN = 'outage-test-secretariat-token-01';
const schema = uniqueSchema('outage');
const dataDir = mkdtempSync(join(tmpdir(), 'ledger-outage-'));
const database = new URL(TEST_DATABASE_URL);
const proxy = new TcpProxy({ host: database.hostname, port: Number(database.port || 5432) });
let server: Server;

beforeAll(async () => {
  await proxy.start();
  const viaProxy = new URL(TEST_DATABASE_URL);
  viaProxy.port = String(proxy.port);
  server = await startServer(dataDir, {
    LEDGER_STORE: 'postgres',
    DATABASE_URL: viaProxy.toString(),
    DATABASE_SCHEMA: schema,
    LEDGER_TOKENS: `secretariat:${TOKEN}`,
    LOG_LEVEL: process.env.OUTAGE_LOG_LEVEL ?? 'fatal',
  });
}, 30_000);

afterAll(async () => {
  if (process.env.OUTAGE_LOG_LEVEL) console.log(server.output.join('\n'));
  await stop(server);
  await proxy.stop();
  rmSync(dataDir, { recursive: true, force: true });
  await dropSchema(schema);
});

type Answer = { key: string; status: number; body: Record<string, unknown>; type: string; retryAfter: string | null };

const post = async (path: string, body: unknown, key: string): Promise<Answer> => {
  const response = await fetch(`${server.baseUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify(body),
  });
  return {
    key,
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
    type: response.headers.get('content-type') ?? '',
    retryAfter: response.headers.get('retry-after'),
  };
};

const outcome = (meetingId: string, i: number) =>
  post(`/v1/meetings/${meetingId}/outcomes`, { kind: 'assessment', summary: `Raqqa assessment ${i}` }, `outage-${i}`);

const ready = async () => {
  try {
    return (await fetch(`${server.baseUrl}/readyz`)).status;
  } catch (error) {
    // Seen once in CI (Node 20 leg, not reproduced in 20 runs since): say whether the server died, with its output.
    const state = server.child.exitCode === null ? 'still running' : `exited with ${server.child.exitCode}`;
    throw new Error(`/readyz did not answer (the server ${state}):\n${server.output.join('\n')}`, { cause: error });
  }
};

describePostgres('PostgreSQL unreachable mid-load', () => {
  it('answers 503 with Retry-After while it is gone, recovers by itself, and loses nothing acknowledged', async () => {
    // Given a meeting and a steady stream of keyed commands
    const scheduled = await post(
      '/v1/meetings',
      {
        title: 'Counter-ISIS Finance Group',
        forum: 'working-group/counter-finance',
        startsAt: '2017-07-11T13:00:00Z',
        endsAt: '2017-07-11T21:00:00Z',
        location: 'Washington, D.C.',
      },
      'outage-schedule',
    );
    expect(scheduled.status).toBe(201);
    const meetingId = scheduled.body.meetingId as string;
    const answers: Answer[] = [];
    let i = 0;
    const send = async (count: number) => {
      const batch = await Promise.all(Array.from({ length: count }, () => outcome(meetingId, i++)));
      answers.push(...batch);
      return batch;
    };
    await send(20);

    // When the database goes away under load
    await proxy.cut();
    const during = [...(await send(20)), ...(await send(20))];
    expect(await ready()).toBe(503);

    // Then every command is refused as unavailable, never as a server error
    for (const answer of during) {
      expect(answer.status).toBe(503);
      expect(answer.type).toMatch(/^application\/problem\+json/);
      expect(answer.retryAfter).toMatch(/^\d+$/);
      expect(answer.body).toMatchObject({ type: 'urn:meeting-ledger:problem:store-unavailable', status: 503 });
    }

    // And when it returns, the ledger serves again without a restart
    await proxy.restore();
    const deadline = Date.now() + 15_000;
    let recovered: Answer | undefined;
    while (Date.now() < deadline && recovered?.status !== 200) recovered = (await send(1))[0];
    expect(recovered?.status).toBe(200);
    await expect.poll(ready, { timeout: 15_000, interval: 100 }).toBe(200);

    // And every acknowledged command is in the log exactly once; the refused ones retried now land once
    for (const refused of during) {
      const retried = await outcome(meetingId, Number(refused.key.slice('outage-'.length)));
      expect(retried.status).toBe(200);
    }
    const meeting = (await (
      await fetch(`${server.baseUrl}/v1/meetings/${meetingId}`, { headers: { authorization: `Bearer ${TOKEN}` } })
    ).json()) as { outcomes: { summary: string }[] };
    const summaries = meeting.outcomes.map((o) => o.summary);
    expect(new Set(summaries).size).toBe(summaries.length);
    for (const answer of answers.filter((a) => a.status === 200)) {
      expect(summaries).toContain(`Raqqa assessment ${answer.key.slice('outage-'.length)}`);
    }
    expect(summaries).toHaveLength(answers.filter((a) => a.status === 200).length + during.length);
  }, 60_000);
});
