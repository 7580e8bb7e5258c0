import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { ulid } from 'ulid';

/**
 * npm run soak -- --minutes N [--store sqlite|postgres] [--connections C]
 *
 * Mixed load against the real server (`src/main.ts`, as npm start runs it) on a real store, with
 * SIGKILLs at random moments and restarts, then a reckoning: every acknowledged command must be in
 * the log exactly once, every command whose answer was lost is retried with its key and must land
 * once, the audit must verify, and the projections must equal a replay. Prints a report with the
 * server's memory over time. Not part of npm test.
 */
const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    store: { type: 'string', default: 'sqlite' },
    connections: { type: 'string', default: '16' },
  },
});
const DURATION_MS = Number(values.minutes) * 60_000;
const CONNECTIONS = Number(values.connections);
const STORE = values.store === 'postgres' ? 'postgres' : 'sqlite';
const SECRETARIAT = 'soak-secretariat-token-0123456789';
const AUDITOR = 'soak-auditor-token-0123456789abcd';
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `soak_${Date.now().toString(36)}`;
const dataDir = mkdtempSync(join(tmpdir(), 'ledger-soak-'));
const env = {
  ...process.env,
  LEDGER_DATA_DIR: dataDir,
  PORT: '0',
  LOG_LEVEL: 'fatal',
  LEDGER_RATE_LIMIT: '0',
  LEDGER_TOKENS: `secretariat:${SECRETARIAT},auditor:${AUDITOR}`,
  ...(STORE === 'postgres' && { LEDGER_STORE: 'postgres', DATABASE_URL, DATABASE_SCHEMA: schema }),
};

type Server = { child: ChildProcess; baseUrl: string };
const start = async (): Promise<Server> => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr?.resume();
  const baseUrl = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const match = /^meeting-ledger listening on (\S+)/.exec(line);
      if (match?.[1]) resolve(match[1]);
    });
  });
  return { child, baseUrl };
};

/** A command the soak sends; `id` is what it must find in the log exactly once if acknowledged. */
type Command = { key: string; path: string; body: unknown; id: string };
const MEETINGS = Array.from({ length: 30 }, () => ulid());
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)] as T;
const nextCommand = (n: number): Command => {
  const meeting = `/v1/meetings/${pick(MEETINGS)}`;
  if (Math.random() < 0.3) {
    const itemId = `item-${n}`;
    return { key: `soak-${n}`, path: `${meeting}/agenda-items`, body: { itemId, title: `Session ${n}` }, id: itemId };
  }
  const outcomeId = ulid();
  const body = {
    outcomeId,
    kind: 'assessment',
    summary: `Raqqa assessment ${n}`,
    theatre: 'raqqa',
    stage: 'offensive-underway',
  };
  return { key: `soak-${n}`, path: `${meeting}/outcomes`, body, id: outcomeId };
};

const send = async (server: Server, command: Pick<Command, 'key' | 'path' | 'body'>) => {
  const response = await fetch(`${server.baseUrl}${command.path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${SECRETARIAT}`,
      'content-type': 'application/json',
      'idempotency-key': command.key,
    },
    body: JSON.stringify(command.body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};
const read = async (server: Server, path: string, token = AUDITOR) =>
  (await fetch(`${server.baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } })).json() as Promise<
    Record<string, unknown>
  >;
/** The server's resident memory, or undefined while it is down (killed, restarting). */
const rssMiB = (pid: number | undefined): number | undefined => {
  try {
    const status = readFileSync(`/proc/${pid ?? 0}/status`, 'utf8');
    return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
  } catch {
    return undefined;
  }
};

const stats = {
  sent: 0,
  acknowledged: 0,
  refused: new Map<number, number>(),
  serverErrors: 0,
  lostAnswers: 0,
  crashes: 0,
};
const acknowledged = new Map<string, Command>();
const unanswered = new Map<string, Command>();
const memory: { minute: number; rssMiB: number }[] = [];

let server = await start();
for (const meetingId of MEETINGS) {
  const body = {
    meetingId,
    title: 'Counter-ISIS Finance Group',
    forum: 'working-group/counter-finance',
    startsAt: '2017-07-11T13:00:00Z',
    endsAt: '2017-07-11T21:00:00Z',
    location: 'Washington, D.C.',
  };
  const answer = await send(server, { key: `schedule-${meetingId}`, path: '/v1/meetings', body });
  if (answer.status !== 201) throw new Error(`setup failed: ${answer.status} ${JSON.stringify(answer.body)}`);
}
const began = Date.now();
let n = 0;
let restarting: Promise<void> | undefined;

/** Kills the server at a random moment every 20-60 s, then starts it again on the same store. */
const crasher = (async () => {
  while (Date.now() - began < DURATION_MS - 30_000) {
    await new Promise((resolve) => setTimeout(resolve, 20_000 + Math.random() * 40_000));
    if (Date.now() - began >= DURATION_MS - 30_000) break;
    const exited = new Promise((resolve) => server.child.once('exit', resolve));
    server.child.kill('SIGKILL');
    stats.crashes += 1;
    restarting = (async () => {
      await exited;
      server = await start();
    })();
    await restarting;
    restarting = undefined;
  }
})();
const sampler = setInterval(() => {
  const rss = rssMiB(server.child.pid);
  if (rss !== undefined) memory.push({ minute: Math.round((Date.now() - began) / 6_000) / 10, rssMiB: rss });
}, 10_000);

const worker = async () => {
  while (Date.now() - began < DURATION_MS) {
    if (restarting) await restarting;
    const command = nextCommand(n++);
    stats.sent += 1;
    try {
      const answer = await send(server, command);
      if (answer.status < 300) {
        stats.acknowledged += 1;
        acknowledged.set(command.key, command);
      } else {
        if (answer.status >= 500) stats.serverErrors += 1;
        stats.refused.set(answer.status, (stats.refused.get(answer.status) ?? 0) + 1);
        if (answer.status >= 500) unanswered.set(command.key, command);
      }
    } catch {
      stats.lostAnswers += 1; // the connection died with the process: the outcome is unknown
      unanswered.set(command.key, command);
    }
  }
};
await Promise.all(Array.from({ length: CONNECTIONS }, worker));
await crasher;
clearInterval(sampler);
if (restarting) await restarting;

// The reckoning: answers lost to a crash are asked again with the same key.
let retriedLanded = 0;
for (const command of unanswered.values()) {
  const answer = await send(server, command);
  if (answer.status < 300) {
    retriedLanded += 1;
    acknowledged.set(command.key, command);
  } else stats.serverErrors += answer.status >= 500 ? 1 : 0;
}
const ids: string[] = [];
for (let after = 0; ;) {
  const page = (await read(server, `/v1/events?after=${after}&limit=1000`)) as {
    events: { type: string; data: { outcomeId?: string; itemId?: string } }[];
    next: number | null;
  };
  for (const e of page.events) {
    if (e.type === 'OutcomeRecorded' && e.data.outcomeId) ids.push(e.data.outcomeId);
    if (e.type === 'AgendaItemAdded' && e.data.itemId) ids.push(e.data.itemId);
  }
  if (page.next === null) break;
  after = page.next;
}
const counts = new Map<string, number>();
for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
const lost = [...acknowledged.values()].filter((c) => !counts.has(c.id)).length;
const duplicated = [...counts.values()].filter((count) => count > 1).length;
const verify = (await read(server, '/v1/audit/verify')) as { ok?: boolean };
const live = await read(server, `/v1/timeline?minPosition=0&waitMs=10000`);
const replayed = await read(server, `/v1/timeline?asOf=${String(live.position)}`);
const projectionsMatch = JSON.stringify(live) === JSON.stringify(replayed);

const exited = new Promise((resolve) => server.child.once('exit', resolve));
server.child.kill('SIGTERM');
await exited;
if (STORE === 'postgres') {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
}
rmSync(dataDir, { recursive: true, force: true });

const lines = [
  `meeting-ledger soak: ${values.minutes} min on ${STORE}, ${CONNECTIONS} connections, ${stats.crashes} SIGKILLs and restarts`,
  `commands sent ${stats.sent}, acknowledged ${stats.acknowledged} (+${retriedLanded} whose answer was lost, retried with their key)`,
  `refused: ${[...stats.refused].map(([status, count]) => `${status}×${count}`).join(', ') || 'none'}; answers lost to crashes ${stats.lostAnswers}`,
  `lost (acknowledged, not in the log): ${lost}; duplicated (in the log twice): ${duplicated}; 5xx after the reckoning: ${stats.serverErrors}`,
  `audit verify: ${verify.ok === true ? 'ok' : JSON.stringify(verify)}; timeline live == replay at ${String(live.position)}: ${projectionsMatch}`,
  `server RSS (MiB) by minute: ${memory.map((m) => `${m.minute}:${m.rssMiB}`).join(' ')}`,
];
process.stdout.write(`\n${lines.join('\n')}\n`);
process.exit(lost === 0 && duplicated === 0 && verify.ok === true && projectionsMatch ? 0 : 1);
