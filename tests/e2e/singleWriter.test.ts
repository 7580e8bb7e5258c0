import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer, stop, type Server } from './serverProcess.js';

const run = promisify(execFile);
const dataDir = mkdtempSync(join(tmpdir(), 'ledger-single-writer-'));
const env = { ...process.env, LEDGER_DATA_DIR: dataDir, LEDGER_TOKENS: 'secretariat:single-writer-secretariat-0123' };
const tsx = (script: string, ...args: string[]) =>
  run(process.execPath, ['--import', 'tsx', script, ...args], { env: { ...env, PORT: '0' } }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
const ledger = (...args: string[]) => tsx('src/cli/ledger.ts', ...args);
const servers: Server[] = [];
const start = async () => {
  const server = await startServer(dataDir, { LEDGER_TOKENS: env.LEDGER_TOKENS, LOG_LEVEL: 'warn' });
  servers.push(server);
  return server;
};

afterAll(async () => {
  for (const server of servers)
    if (server.child.exitCode === null && server.child.signalCode === null) await stop(server, 'SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('one process writes a data directory', () => {
  it('refuses a second server with one line naming the holder, and lets readers run beside it', async () => {
    // Given a server holding the data directory
    const first = await start();
    // When a second server starts on it
    const second = await tsx('src/main.ts');
    // Then it exits non-zero with one line naming the first: pid, host, start time, command
    expect(second.code).not.toBe(0);
    const lines = second.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`in use by pid ${first.child.pid} on ${hostname()}, started 20`);
    expect(lines[0]).toMatch(/\(main\.(ts|js)\)/);
    // ...and so do the commands that write (the demo, a projections rebuild), while the first still serves
    for (const args of [['demo'], ['projections', 'rebuild']]) {
      const refused = await ledger(...args);
      expect(refused.code, args.join(' ')).toBe(1);
      expect(refused.stderr.trim().split('\n')).toEqual([expect.stringContaining(`in use by pid ${first.child.pid}`)]);
    }
    expect((await fetch(`${first.baseUrl}/healthz`)).status).toBe(200);
    // ...while the commands that only read work beside it
    expect((await ledger('audit', 'verify')).code).toBe(0);
    expect((await ledger('replay', '--as-of', '0')).code).toBe(0);
    expect((await ledger('export', '--format', 'ndjson')).code).toBe(0);
    // When it stops gracefully, the directory is free again
    expect(await stop(first)).toBe(0);
    const rebuilt = await ledger('projections', 'rebuild');
    expect(rebuilt.stderr).toBe('');
    expect(rebuilt.code).toBe(0);
  }, 60_000);

  it('recovers the lock of a holder killed with SIGKILL', async () => {
    // Given a server killed without a chance to release anything
    const killed = await start();
    await stop(killed, 'SIGKILL');
    // When another starts on the same directory
    const next = await start();
    // Then it serves
    expect((await fetch(`${next.baseUrl}/healthz`)).status).toBe(200);
    expect(await stop(next)).toBe(0);
  }, 60_000);
});
