import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { loadMix, MEETINGS, MIX, prepareMix } from './commandMix.js';

/**
 * npm run bench [-- --store postgres]: commands/s of the real ledger (SQLite, synchronous=FULL; with
 * --store postgres also PostgreSQL, one process and two processes sharing the database) against the
 * ceiling of the same HTTP app appending nothing, all measured in this run on this machine. Figures
 * are ratios to that ceiling, never absolute thresholds.
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const TOKEN = 'bench-secretariat-token-0123456789';

const startServer = async (
  mode: 'ledger' | 'ceiling',
  dataDir: string,
  env: Record<string, string>,
): Promise<{ port: number; child: ChildProcess }> => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/server.ts', mode], {
    env: {
      ...process.env,
      LEDGER_DATA_DIR: dataDir,
      LEDGER_TOKENS: `secretariat:${TOKEN}`,
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
    createInterface({ input: child.stdout }).once('line', resolve);
  });
  return { port: (JSON.parse(line) as { port: number }).port, child };
};

type Row = {
  target: string;
  connections: number;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
};

/** What is measured: the ceiling, or the ledger on a store, as one process or several sharing the store. */
type Target = { label: string; mode: 'ledger' | 'ceiling'; instances: number; env: Record<string, string> };

/** Loads every instance at once, the connections split between them; requests/s add up, p99 is the worst. */
const loadAll = async (ports: number[], connections: number): Promise<Omit<Row, 'target' | 'connections'>> => {
  const share = Math.ceil(connections / ports.length);
  const results = await Promise.all(
    ports.map((port) => loadMix(`http://127.0.0.1:${port}`, TOKEN, share, SECONDS).done),
  );
  return {
    rps: results.reduce((sum, r) => sum + r.requests.average, 0),
    p50: Math.max(...results.map((r) => r.latency.p50)),
    p99: Math.max(...results.map((r) => r.latency.p99)),
    non2xx: results.reduce((sum, r) => sum + r.non2xx, 0),
    errors: results.reduce((sum, r) => sum + r.errors, 0),
  };
};

const measure = async (target: Target, connectionCounts: number[]): Promise<Row[]> => {
  const dataDirs = Array.from({ length: target.instances }, () => mkdtempSync(join(tmpdir(), 'ledger-bench-')));
  const servers: { port: number; child: ChildProcess }[] = [];
  try {
    for (const dataDir of dataDirs) servers.push(await startServer(target.mode, dataDir, target.env));
    const refused = await prepareMix(`http://127.0.0.1:${servers[0]!.port}`, TOKEN);
    if (refused > 0) throw new Error(`${refused} setup commands were refused as overloaded for a minute`);
    const rows: Row[] = [];
    for (const connections of connectionCounts) {
      const measured = await loadAll(
        servers.map((s) => s.port),
        connections,
      );
      rows.push({ target: target.label, connections, ...measured });
    }
    return rows;
  } finally {
    for (const { child } of servers) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    for (const dataDir of dataDirs) rmSync(dataDir, { recursive: true, force: true });
  }
};

/** `--store postgres` (repeatable, or comma-separated) adds PostgreSQL runs, on one instance and on two. */
const extraStores = process.argv
  .flatMap((arg, i, all) => (arg === '--store' ? (all[i + 1] ?? '').split(',') : []))
  .filter((store) => store !== '' && store !== 'sqlite');
for (const store of extraStores) {
  if (store !== 'postgres') {
    process.stderr.write(`bench: --store ${store} is not supported (sqlite is always measured; add postgres)\n`);
    process.exit(2);
  }
}

const postgresTargets = async (): Promise<{ targets: Target[]; cleanup: () => Promise<void> }> => {
  if (!extraStores.includes('postgres')) return { targets: [], cleanup: async () => undefined };
  const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const schemas = ['bench_one', 'bench_two'].map((name) => `${name}_${Date.now().toString(36)}`);
  const env = (schema: string) => ({ LEDGER_STORE: 'postgres', DATABASE_URL: url, DATABASE_SCHEMA: schema });
  return {
    targets: [
      { label: 'postgres, 1 instance', mode: 'ledger', instances: 1, env: env(schemas[0]!) },
      { label: 'postgres, 2 instances', mode: 'ledger', instances: 2, env: env(schemas[1]!) },
    ],
    cleanup: async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    },
  };
};

const connections = [10, 50];
const ceiling = await measure({ label: 'ceiling', mode: 'ceiling', instances: 1, env: {} }, connections);
const postgres = await postgresTargets();
const ledger: Row[] = [];
try {
  for (const target of [{ label: 'sqlite', mode: 'ledger', instances: 1, env: {} } as Target, ...postgres.targets]) {
    ledger.push(...(await measure(target, connections)));
  }
} finally {
  await postgres.cleanup();
}
process.stdout.write(`\nmeeting-ledger bench: ${SECONDS}s per run, ${MEETINGS} meetings, mix ${MIX}\n\n`);
process.stdout.write(
  'store                 | connections | ceiling cmd/s | ledger cmd/s | ratio | p50 ms | p99 ms | ceiling p99 ms | non-2xx | errors\n',
);
for (const row of ledger) {
  const top = ceiling.find((c) => c.connections === row.connections);
  const ratio = top ? row.rps / top.rps : Number.NaN;
  process.stdout.write(
    `${row.target.padEnd(21)} | ${String(row.connections).padStart(11)} | ${(top?.rps ?? 0).toFixed(0).padStart(13)} | ${row.rps.toFixed(0).padStart(12)} | ${ratio.toFixed(2).padStart(5)} | ${String(row.p50).padStart(6)} | ${String(row.p99).padStart(6)} | ${String(top?.p99 ?? '').padStart(14)} | ${String(row.non2xx).padStart(7)} | ${row.errors}\n`,
  );
}
