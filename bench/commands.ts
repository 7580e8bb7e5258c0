import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { encodeTime } from 'ulid';

/**
 * npm run bench: commands/s of the real ledger (SQLite, synchronous=FULL) against the ceiling of
 * the same HTTP app appending nothing, both measured in this run on this machine. Figures are
 * ratios to that ceiling, never absolute thresholds.
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const MEETINGS = 200;
const TOKEN = 'bench-secretariat-token-0123456789';
const members = Array.from({ length: 40 }, (_, i) => `member-${i}`);
const observers = Array.from({ length: 60 }, (_, i) => `observer-${i}`);
const meetingIds = Array.from(
  { length: MEETINGS },
  (_, i) => `${encodeTime(Date.UTC(2017, 6, 11) + i * 60_000, 10)}BENCH${String(i).padStart(11, '0')}`,
);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)] as T;

const startServer = async (
  mode: 'ledger' | 'ceiling',
  dataDir: string,
): Promise<{ port: number; child: ChildProcess }> => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/server.ts', mode], {
    env: { ...process.env, LEDGER_DATA_DIR: dataDir, LEDGER_TOKENS: `secretariat:${TOKEN}`, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
    createInterface({ input: child.stdout }).once('line', resolve);
  });
  return { port: (JSON.parse(line) as { port: number }).port, child };
};

const post = async (port: number, path: string, body: unknown) => {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status >= 300) throw new Error(`${path}: ${response.status} ${await response.text()}`);
};

const meetingBody = (meetingId?: string) => ({
  ...(meetingId && { meetingId }),
  title: 'Working Group on Counter Finance',
  forum: 'working-group/counter-finance',
  startsAt: '2017-07-11T09:00:00-04:00',
  endsAt: '2017-07-11T17:00:00-04:00',
  location: 'Washington, D.C.',
  agenda: [{ itemId: 'assess-campaign', title: 'Assess the campaign' }],
});

/** The mix: new meetings, invitations, attendance and outcomes on existing meetings. */
const nextCommand = (): { path: string; body: unknown } => {
  const roll = Math.random();
  const meeting = `/v1/meetings/${pick(meetingIds)}`;
  if (roll < 0.1) return { path: '/v1/meetings', body: meetingBody() };
  if (roll < 0.35) {
    const observerId = pick(observers);
    return { path: `${meeting}/observers`, body: { observerId, name: `Observer ${observerId}`, kind: 'organization' } };
  }
  if (roll < 0.75)
    return {
      path: `${meeting}/attendance`,
      body: { participantId: pick(members), status: pick(['present', 'absent']) },
    };
  return {
    path: `${meeting}/outcomes`,
    body: {
      kind: 'assessment',
      summary: 'Mosul is on the verge of liberation',
      theatre: 'mosul',
      stage: 'verge-of-liberation',
      agendaItemId: 'assess-campaign',
    },
  };
};

const load = (port: number, connections: number) =>
  autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    duration: SECONDS,
    requests: [
      {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        setupRequest: (request) => {
          const { path, body } = nextCommand();
          return { ...request, path, body: JSON.stringify(body) };
        },
      },
    ],
  });

type Row = { mode: string; connections: number; rps: number; p50: number; p99: number; non2xx: number; errors: number };

const measure = async (mode: 'ledger' | 'ceiling', connectionCounts: number[]): Promise<Row[]> => {
  const dataDir = mkdtempSync(join(tmpdir(), `ledger-bench-${mode}-`));
  const { port, child } = await startServer(mode, dataDir);
  try {
    for (const id of members) await post(port, '/v1/members', { memberId: id, name: id, kind: 'state' });
    for (const id of meetingIds) await post(port, '/v1/meetings', meetingBody(id));
    const rows: Row[] = [];
    for (const connections of connectionCounts) {
      const result = await load(port, connections);
      rows.push({
        mode,
        connections,
        rps: result.requests.average,
        p50: result.latency.p50,
        p99: result.latency.p99,
        non2xx: result.non2xx,
        errors: result.errors,
      });
    }
    return rows;
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    rmSync(dataDir, { recursive: true, force: true });
  }
};

const connections = [10, 50];
const ceiling = await measure('ceiling', connections);
const ledger = await measure('ledger', connections);
process.stdout.write(
  `\nmeeting-ledger bench: ${SECONDS}s per run, ${MEETINGS} meetings, mix 10% schedule / 25% invite / 40% attendance / 25% outcome\n\n`,
);
process.stdout.write(
  'connections | ceiling cmd/s | ledger cmd/s | ratio | ledger p50 ms | ledger p99 ms | ceiling p99 ms | non-2xx | errors\n',
);
for (const row of ledger) {
  const top = ceiling.find((c) => c.connections === row.connections);
  const ratio = top ? row.rps / top.rps : Number.NaN;
  process.stdout.write(
    `${String(row.connections).padStart(11)} | ${(top?.rps ?? 0).toFixed(0).padStart(13)} | ${row.rps.toFixed(0).padStart(12)} | ${ratio.toFixed(2).padStart(5)} | ${String(row.p50).padStart(13)} | ${String(row.p99).padStart(13)} | ${String(top?.p99 ?? '').padStart(14)} | ${String(row.non2xx).padStart(7)} | ${row.errors}\n`,
  );
}
