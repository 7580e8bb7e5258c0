import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { listeningAddressOf } from '../src/logOutput.js';
import { parseArgs } from 'node:util';
import pg from 'pg';

/**
 * npm run soak -- --minutes N [--store sqlite|postgres] [--connections C]
 *
 * Mixed load against the real server (`src/main.ts`, as npm start runs it) on a real store, with
 * SIGKILLs at random moments and restarts, then a reckoning. Every command carries its own key in
 * the text it records (a meeting's title, an item's title, an outcome's summary) and lets the server
 * assign ids, so the log shows how often each command landed: an acknowledged command must be there
 * exactly once, a command whose answer was lost is retried with its key and must then be there
 * exactly once too. Then the audit must verify and the projections must equal a replay at the head.
 * Prints a report with the server's memory over time; exits 1 if any of it failed. Not part of npm test.
 */
const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    store: { type: 'string', default: 'sqlite' },
    connections: { type: 'string', default: '16' },
  },
});
const DURATION_MS = Number(values.minutes) * 60_000;
const STORE = values.store === 'postgres' ? 'postgres' : 'sqlite';
const SECRETARIAT = 'soak-secretariat-token-0123456789';
const AUDITOR = 'soak-auditor-token-0123456789abcd';
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `soak_${Date.now().toString(36)}`;
const dataDir = mkdtempSync(join(tmpdir(), 'ledger-soak-'));
// Nothing of the caller's ledger settings leaks in: this load must never reach a real store.
const inherited = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !/^(LEDGER_|DATABASE_|EVENTSTORE_)/.test(name)),
);
const env = {
  ...inherited,
  LEDGER_DATA_DIR: dataDir,
  PORT: '0',
  LOG_LEVEL: 'fatal',
  LEDGER_RATE_LIMIT: '0',
  LEDGER_MAX_EVENT_LOOP_DELAY_MS: '0',
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
      const address = listeningAddressOf(line);
      if (address) resolve(address);
    });
  });
  return { child, baseUrl };
};

type Command = { key: string; path: string; body: Record<string, unknown> };
type Answer = { status: number; body: Record<string, unknown> };

/** Meetings in play: commands go to the newest 30, so each meeting stays a realistic size. */
const meetings: string[] = [];
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)] as T;
const scheduleBody = (key: string) => ({
  title: key,
  forum: 'working-group/counter-finance',
  startsAt: '2017-07-11T13:00:00Z',
  endsAt: '2017-07-11T21:00:00Z',
  location: 'Washington, D.C.',
});
const nextCommand = (key: string): Command => {
  const roll = Math.random();
  if (roll < 0.05 || meetings.length === 0) return { key, path: '/v1/meetings', body: scheduleBody(key) };
  const meeting = `/v1/meetings/${pick(meetings.slice(-30))}`;
  if (roll < 0.3) return { key, path: `${meeting}/agenda-items`, body: { title: key } };
  return { key, path: `${meeting}/outcomes`, body: { kind: 'assessment', summary: key, theatre: 'raqqa' } };
};

const send = async (server: Server, command: Command): Promise<Answer> => {
  const response = await fetch(`${server.baseUrl}${command.path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${SECRETARIAT}`,
      'content-type': 'application/json',
      'idempotency-key': command.key,
    },
    body: JSON.stringify(command.body),
  });
  const answer = { status: response.status, body: (await response.json()) as Record<string, unknown> };
  if (answer.status === 201 && typeof answer.body.meetingId === 'string') meetings.push(answer.body.meetingId);
  return answer;
};
const read = async <T>(server: Server, path: string): Promise<T> =>
  (await (await fetch(`${server.baseUrl}${path}`, { headers: { authorization: `Bearer ${AUDITOR}` } })).json()) as T;

/** The server's resident memory, or undefined while it is down (killed, restarting). */
const rssMiB = (pid: number | undefined): number | undefined => {
  try {
    const kib = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid ?? 0}/status`, 'utf8'))?.[1]);
    return Number.isFinite(kib) ? Math.round(kib / 1024) : undefined; // a process being reaped has no VmRSS
  } catch {
    return undefined;
  }
};

const stats = { sent: 0, refused: new Map<number, number>(), lostAnswers: 0, crashes: 0, serverErrors: 0 };
const acknowledged = new Set<string>();
const unanswered = new Map<string, Command>();
const memory: string[] = [];
const began = Date.now();
const elapsedMinutes = () => (Math.round((Date.now() - began) / 6_000) / 10).toFixed(1);
let server = await start();
let restarting: Promise<void> | undefined;

/** Kills the server at a random moment every 20-60 s, then starts it again on the same store. */
const crash = async () => {
  while (Date.now() - began < DURATION_MS - 30_000) {
    await new Promise((resolve) => setTimeout(resolve, 20_000 + Math.random() * 40_000));
    if (Date.now() - began >= DURATION_MS - 30_000) return;
    const exited = new Promise((resolve) => server.child.once('exit', resolve));
    server.child.kill('SIGKILL');
    stats.crashes += 1;
    restarting = exited.then(async () => {
      server = await start();
    });
    await restarting;
    restarting = undefined;
  }
};

const load = async () => {
  while (Date.now() - began < DURATION_MS) {
    if (restarting) await restarting;
    const command = nextCommand(`soak-${stats.sent++}`);
    try {
      const answer = await send(server, command);
      if (answer.status < 300) acknowledged.add(command.key);
      else stats.refused.set(answer.status, (stats.refused.get(answer.status) ?? 0) + 1);
      if (answer.status >= 500) unanswered.set(command.key, command);
    } catch {
      stats.lostAnswers += 1; // the connection died with the process: the outcome is unknown
      unanswered.set(command.key, command);
    }
  }
};

const sampler = setInterval(() => {
  const rss = rssMiB(server.child.pid);
  if (rss !== undefined) memory.push(`${elapsedMinutes()}:${rss}`);
}, 10_000);
await Promise.all([crash(), ...Array.from({ length: Number(values.connections) }, load)]);
clearInterval(sampler);
if (restarting) await restarting;

// The reckoning. Every command whose answer was lost is asked again with its key: it must succeed.
const retryRefused: string[] = [];
for (const command of unanswered.values()) {
  const answer = await send(server, command);
  if (answer.status < 300) acknowledged.add(command.key);
  else retryRefused.push(`${command.key}: ${answer.status} ${String(answer.body.type)}`);
  if (answer.status >= 500) stats.serverErrors += 1;
}
const landed = new Map<string, number>();
let head = 0;
for (let after = 0; ;) {
  const page = await read<{
    events: { position: number; data: { title?: string; summary?: string } }[];
    next: number | null;
  }>(server, `/v1/events?after=${after}&limit=1000`);
  for (const event of page.events) {
    head = event.position;
    const key = event.data.summary ?? event.data.title;
    if (key?.startsWith('soak-')) landed.set(key, (landed.get(key) ?? 0) + 1);
  }
  if (page.next === null) break;
  after = page.next;
}
const lost = [...acknowledged].filter((key) => !landed.has(key));
const duplicated = [...landed].filter(([, count]) => count > 1).map(([key]) => key);
const verify = await read<{ ok?: boolean }>(server, '/v1/audit/verify');
const live = await read<{ position: number }>(server, `/v1/timeline?minPosition=${head}&waitMs=30000`);
const replayed = await read<{ position: number }>(server, `/v1/timeline?asOf=${head}`);
const projectionsMatch = live.position === head && JSON.stringify(live) === JSON.stringify(replayed);

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

const refused = [...stats.refused].map(([status, count]) => `${status}×${count}`).join(', ') || 'none';
const report = [
  `meeting-ledger soak: ${values.minutes} min on ${STORE}, ${values.connections} connections, ${stats.crashes} SIGKILLs and restarts`,
  `commands sent ${stats.sent}; acknowledged ${acknowledged.size} (including ${unanswered.size - retryRefused.length} whose answer was lost to a crash, retried with their key); refused ${refused}`,
  `retries refused: ${retryRefused.length}${retryRefused.length ? ` (${retryRefused.slice(0, 5).join('; ')})` : ''}; 5xx on retry: ${stats.serverErrors}`,
  `lost (acknowledged, not in the log): ${lost.length}; duplicated (in the log twice): ${duplicated.length}; events in the log: ${head > 0 ? head : 0} (last position)`,
  `audit verify: ${verify.ok === true ? 'ok' : JSON.stringify(verify)}; timeline live == replay at the head (${head}): ${projectionsMatch}`,
  `server RSS in MiB (minute:RSS): ${memory.join(' ')}`,
];
process.stdout.write(`\n${report.join('\n')}\n`);
const passed =
  lost.length === 0 && duplicated.length === 0 && retryRefused.length === 0 && verify.ok === true && projectionsMatch;
process.exit(passed ? 0 : 1);
