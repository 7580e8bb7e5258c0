import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describePostgres, dropSchema, TEST_DATABASE_URL, uniqueSchema } from '../eventStore/postgresTestDatabase.js';
import { startServer, stop, type Server } from './serverProcess.js';

const TOKEN = 'crash-test-secretariat-token-0123';
const AUDITOR = 'crash-test-auditor-token-01234567';
const baseEnv = { LEDGER_TOKENS: `secretariat:${TOKEN},auditor:${AUDITOR}`, LOG_LEVEL: 'warn' };
const postgresSchema = uniqueSchema('crash');
/** The same test on every store that can run here (EventStoreDB cannot: see tests/eventStore/eventstoredb.test.ts). */
type StoreUnderTest = { env: Record<string, string>; cleanup: () => Promise<void> };
const sqlite: StoreUnderTest = { env: baseEnv, cleanup: async () => undefined };
const postgres: StoreUnderTest = {
  env: { ...baseEnv, LEDGER_STORE: 'postgres', DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: postgresSchema },
  cleanup: () => dropSchema(postgresSchema),
};
// Many meetings, so that group commits hold many commands each (one stream takes one command at a time).
const MEETINGS = Array.from({ length: 24 }, (_, i) => `01BMVE5040CRASH000000000${String(i).padStart(2, '0')}`);

type Sent = { key: string; url: string; body: unknown };
type Acknowledged = Sent & { status: number; response: { revision: number; position: number; outcomeId?: string } };

const post = (baseUrl: string, { key, url, body }: Sent) =>
  fetch(`${baseUrl}${url}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify(body),
  });

const outcome = (cycle: number, i: number): Sent => ({
  key: `crash-${cycle}-${i}`,
  url: `/v1/meetings/${MEETINGS[i % MEETINGS.length]}/outcomes`,
  body: {
    kind: 'assessment',
    summary: `Mosul assessment ${cycle}.${i}`,
    theatre: 'mosul',
    stage: 'verge-of-liberation',
  },
});

/** Sends commands 40 at a time until the server dies; returns those it acknowledged and all it sent. */
const loadUntilKilled = async (server: Server, cycle: number, killAfterMs: number) => {
  const acknowledged: Acknowledged[] = [];
  const sent: Sent[] = [];
  const killer = setTimeout(() => server.child.kill('SIGKILL'), killAfterMs);
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  let i = 0;
  let alive = true;
  void exited.then(() => (alive = false));
  while (alive && i < 4000) {
    const batch = Array.from({ length: 40 }, () => outcome(cycle, i++));
    sent.push(...batch);
    await Promise.all(
      batch.map(async (command) => {
        try {
          const response = await post(server.baseUrl, command);
          if (response.status < 300)
            acknowledged.push({
              ...command,
              status: response.status,
              response: (await response.json()) as Acknowledged['response'],
            });
        } catch {
          // the connection died with the process: not acknowledged
        }
      }),
    );
  }
  clearTimeout(killer);
  await exited;
  return { acknowledged, sent };
};

const sigkillAtAnyMoment =
  ({ env, cleanup }: StoreUnderTest) =>
  () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ledger-crash-'));
    afterAll(async () => {
      rmSync(dataDir, { recursive: true, force: true });
      await cleanup();
    });

    it('loses no acknowledged command, duplicates none and leaves no half-written trace', async () => {
      const setup = await startServer(dataDir, env);
      for (const meetingId of MEETINGS) {
        const response = await post(setup.baseUrl, {
          key: `schedule-${meetingId}`,
          url: '/v1/meetings',
          body: {
            meetingId,
            title: 'Coalition Small Group',
            forum: 'small-group',
            startsAt: '2017-07-13T09:00:00-04:00',
            location: 'Washington, D.C.',
          },
        });
        expect(response.status).toBe(201);
      }
      await stop(setup);

      const acknowledged: Acknowledged[] = [];
      const sent: Sent[] = [];
      for (let cycle = 0; cycle < 3; cycle += 1) {
        const server = await startServer(dataDir, env);
        const result = await loadUntilKilled(server, cycle, 150 + Math.floor(Math.random() * 400));
        acknowledged.push(...result.acknowledged);
        sent.push(...result.sent);
      }
      expect(acknowledged.length).toBeGreaterThan(0);

      const server = await startServer(dataDir, env);
      try {
        const events: {
          streamId: string;
          revision: number;
          position: number;
          type: string;
          data: { outcomeId?: string };
        }[] = [];
        for (let after = 0; ;) {
          const page = (await (
            await fetch(`${server.baseUrl}/v1/events?after=${after}&limit=1000`, {
              headers: { authorization: `Bearer ${TOKEN}` },
            })
          ).json()) as { events: typeof events; next: number | null };
          events.push(...page.events);
          if (page.next === null) break;
          after = page.next;
        }
        const outcomes = events.filter((e) => e.type === 'OutcomeRecorded').map((e) => e.data.outcomeId);
        // every acknowledged command's event is there exactly once, where its response said
        for (const ack of acknowledged) {
          expect(outcomes.filter((id) => id === ack.response.outcomeId)).toHaveLength(1);
          expect(events.find((e) => e.position === ack.response.position)?.data.outcomeId).toBe(ack.response.outcomeId);
        }
        // no outcome was recorded twice, and every stream's revisions are dense
        expect(new Set(outcomes).size).toBe(outcomes.length);
        for (const meetingId of MEETINGS) {
          const revisions = events.filter((e) => e.streamId === `meeting-${meetingId}`).map((e) => e.revision);
          expect(revisions).toEqual(revisions.map((_, index) => index));
        }
        // a retry of an acknowledged command gets its original answer and appends nothing
        for (const ack of acknowledged.slice(0, 50)) {
          const retry = await post(server.baseUrl, ack);
          expect(retry.headers.get('idempotent-replayed')).toBe('true');
          expect(await retry.json()).toEqual(ack.response);
        }
        // an unacknowledged command either committed whole (events and key together) or left nothing
        const acknowledgedKeys = new Set(acknowledged.map((a) => a.key));
        const before = events.length;
        let newlyAppended = 0;
        for (const command of sent.filter((s) => !acknowledgedKeys.has(s.key)).slice(0, 100)) {
          const retry = await post(server.baseUrl, command);
          expect(retry.status).toBe(200);
          const replayed = retry.headers.get('idempotent-replayed') === 'true';
          const { outcomeId } = (await retry.json()) as { outcomeId: string };
          expect(outcomes.includes(outcomeId)).toBe(replayed);
          if (!replayed) newlyAppended += 1;
        }
        const after = (await (
          await fetch(`${server.baseUrl}/v1/events?after=0&limit=1000`, {
            headers: { authorization: `Bearer ${TOKEN}` },
          })
        ).json()) as {
          events: unknown[];
          next: number | null;
        };
        if (after.next === null) expect(after.events.length).toBe(before + newlyAppended);
        // the projections after all the crashes equal a replay of the whole log, and the audit verifies
        const head = events.at(-1)!.position;
        const audited = async (path: string) =>
          (await fetch(`${server.baseUrl}${path}`, { headers: { authorization: `Bearer ${AUDITOR}` } })).json();
        // every page, followed by its cursor: the cursors themselves differ (a history cursor is marked as one)
        const allPages = async (path: string) => {
          const first = (await audited(path)) as { next?: string | null } & Record<string, unknown>;
          const pages = [{ ...first, next: undefined }];
          for (let next = first.next; next;) {
            const page = (await audited(`/v1/timeline?cursor=${encodeURIComponent(next)}`)) as typeof first;
            pages.push({ ...page, next: undefined });
            next = page.next;
          }
          return pages;
        };
        await audited(`/v1/timeline?minPosition=${head}&waitMs=10000`);
        const live = await allPages(`/v1/timeline?minPosition=${head}`);
        const replayed = await allPages(`/v1/timeline?asOf=${(live[0] as unknown as { position: number }).position}`);
        expect(replayed).toEqual(live);
        expect(await audited('/v1/audit/verify')).toMatchObject({ ok: true });
      } finally {
        await stop(server);
      }
    }, 120_000);
  };

describe('a SIGKILL at any moment on SQLite', sigkillAtAnyMoment(sqlite));
describePostgres('a SIGKILL at any moment on PostgreSQL', sigkillAtAnyMoment(postgres));
