import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describePostgres, dropSchema, TEST_DATABASE_URL, uniqueSchema } from '../eventStore/postgresTestDatabase.js';
import { startServer, stop, type Server } from './serverProcess.js';

const SECRETARIAT = 'many-instances-secretariat-0123';
const REPORTER = 'many-instances-reporter-0123456';
const schema = uniqueSchema('instances');
const dirs: string[] = [];
let servers: Server[] = [];

/** Two `npm start` processes on one PostgreSQL schema, each with its own data directory. */
beforeAll(async () => {
  servers = await Promise.all(
    ['a', 'b'].map((name) => {
      const dir = mkdtempSync(join(tmpdir(), `ledger-instance-${name}-`));
      dirs.push(dir);
      return startServer(dir, {
        LEDGER_STORE: 'postgres',
        DATABASE_URL: TEST_DATABASE_URL,
        DATABASE_SCHEMA: schema,
        LEDGER_TOKENS: `secretariat:${SECRETARIAT},reporter:${REPORTER}`,
        LEDGER_LOG_ORIGIN: `meeting-ledger-${name}`,
        LOG_LEVEL: 'warn',
      });
    }),
  );
}, 60_000);

afterAll(async () => {
  await Promise.all(servers.map((server) => stop(server)));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  await dropSchema(schema);
});

type Answer = { status: number; body: Record<string, unknown>; replayed: string | null };

const send = async (server: Server, path: string, body: unknown, key?: string): Promise<Answer> => {
  const response = await fetch(`${server.baseUrl}${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${SECRETARIAT}`,
      'content-type': 'application/json',
      ...(key && { 'idempotency-key': key }),
    },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
    replayed: response.headers.get('idempotent-replayed'),
  };
};

const read = async (server: Server, path: string) => {
  const response = await fetch(`${server.baseUrl}${path}`, { headers: { authorization: `Bearer ${REPORTER}` } });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
};

const schedule = async (server: Server, title: string) => {
  const scheduled = await send(server, '/v1/meetings', {
    title,
    forum: 'small-group',
    startsAt: '2017-07-13T13:00:00Z',
    endsAt: '2017-07-13T21:00:00Z',
    location: 'Washington, D.C.',
  });
  expect(scheduled.status).toBe(201);
  return scheduled.body.meetingId as string;
};

describePostgres('two ledger processes on one PostgreSQL', () => {
  it('never lose an update when both add agenda items to the same meeting at once', async () => {
    // Given a meeting scheduled through the first process
    const meetingId = await schedule(servers[0]!, 'Coalition Small Group');
    // When both processes take 30 distinct agenda items for it, all at once
    const items = Array.from({ length: 60 }, (_, i) => `item-${String(i).padStart(2, '0')}`);
    const answers = await Promise.all(
      items.map((itemId, i) =>
        send(servers[i % 2]!, `/v1/meetings/${meetingId}/agenda-items`, { itemId, title: `Session ${itemId}` }),
      ),
    );
    // Then no request failed on the server's side, and what was acknowledged is there exactly once
    expect(answers.filter((a) => a.status >= 500)).toEqual([]);
    const acknowledged = items.filter((_, i) => answers[i]!.status === 200);
    for (const refused of answers.filter((a) => a.status !== 200)) expect(refused.status).toBe(409);
    expect(acknowledged.length).toBeGreaterThan(items.length / 2);
    const events = (await read(servers[1]!, `/v1/events?after=0&limit=1000`)).events as {
      streamId: string;
      revision: number;
      type: string;
      data: { itemId?: string };
    }[];
    const ofMeeting = events.filter((e) => e.streamId === `meeting-${meetingId}`);
    expect(ofMeeting.map((e) => e.revision)).toEqual(ofMeeting.map((_, i) => i));
    const added = ofMeeting.filter((e) => e.type === 'AgendaItemAdded').map((e) => e.data.itemId);
    expect(added.sort()).toEqual(acknowledged);
  });

  it('answer a key sent to both at once with one append and the same response', async () => {
    const meetingId = await schedule(servers[1]!, 'Political Directors');
    const keys = Array.from({ length: 10 }, (_, i) => `both-${meetingId}-${i}`);
    const pairs = await Promise.all(
      keys.map((key, i) =>
        Promise.all(
          servers.map((server) =>
            send(server, `/v1/meetings/${meetingId}/outcomes`, { kind: 'decision', summary: `Decision ${i}` }, key),
          ),
        ),
      ),
    );
    for (const [first, second] of pairs) {
      expect([first!.status, second!.status]).toEqual([200, 200]);
      expect(second!.body).toEqual(first!.body);
      expect([first!.replayed, second!.replayed].sort()).toEqual(['true', null].sort());
    }
    const meeting = await fetch(`${servers[0]!.baseUrl}/v1/meetings/${meetingId}`, {
      headers: { authorization: `Bearer ${SECRETARIAT}` },
    });
    expect(((await meeting.json()) as { outcomes: unknown[] }).outcomes).toHaveLength(keys.length);
  });

  it('serve the same projections', async () => {
    const head = (await read(servers[0]!, '/v1/events?after=0&limit=1000')).events as { position: number }[];
    const position = head.at(-1)!.position;
    const query = `from=2017-01-01T00:00:00Z&minPosition=${position}&waitMs=10000`;
    const [a, b] = await Promise.all(servers.map((server) => read(server, `/v1/agenda?${query}`)));
    expect(a).toEqual(b);
    expect(a!.position).toBeGreaterThanOrEqual(position);
    expect((a!.meetings as unknown[]).length).toBe(2);
  });
});
