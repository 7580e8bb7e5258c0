import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer, stop } from './serverProcess.js';

const run = promisify(execFile);
const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-files-'));
  dirs.push(dir);
  return dir;
};

/** The compiled CLI, as the image runs it. */
const ledgerCli = (dataDir: string, ...args: string[]) =>
  run(process.execPath, ['dist/cli/ledger.js', ...args], {
    env: { ...process.env, LEDGER_DATA_DIR: dataDir, LEDGER_TOKENS: '' },
  });

/** Every file under `dir` whose mode lets anyone but its owner read or write it. */
const openToOthers = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => ({ name, mode: statSync(join(dir, name)).mode & 0o777 }))
    .filter(({ mode }) => (mode & 0o077) !== 0)
    .map(({ name, mode }) => `${name} ${mode.toString(8)}`);

const CORRUPT = '{"version": 2, "tokens": [';

describe('the files of a ledger', () => {
  it('are all its owner’s alone: databases with their -wal and -shm, audit, key, tokens, exports', async () => {
    const dataDir = freshDir();
    const server = await startServer(dataDir, { LEDGER_TOKENS: '' });
    const token = /secretariat\s+(\S{20,})/.exec(server.output.join('\n'))?.[1] ?? '';
    const scheduled = await fetch(`${server.baseUrl}/v1/meetings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Plenary', forum: 'plenary', startsAt: '2017-07-12T09:00:00Z', location: 'x' }),
    });
    expect(scheduled.status).toBe(201);
    await ledgerCli(dataDir, 'tokens', 'add', '--role', 'reporter', '--name', 'weekly report job');
    await ledgerCli(dataDir, 'export', '--format', 'ndjson', '--to', join(dataDir, 'ledger.ndjson'));
    const files = readdirSync(dataDir);
    expect(files).toEqual(expect.arrayContaining(['ledger.sqlite-wal', 'ledger.sqlite-shm', 'ledger.ndjson']));
    expect(openToOthers(dataDir)).toEqual([]);
    expect(await stop(server)).toBe(0);
    expect(openToOthers(dataDir)).toEqual([]);
  }, 60_000);
});

describe('a token file that does not parse', () => {
  it('stops a start without LEDGER_TOKENS with one line naming the file', async () => {
    const dataDir = freshDir();
    writeFileSync(join(dataDir, 'tokens.json'), CORRUPT, { mode: 0o600 });
    const child = spawn(process.execPath, ['dist/main.js'], {
      env: { ...process.env, LEDGER_DATA_DIR: dataDir, PORT: '0', LEDGER_TOKENS: '' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^${join(dataDir, 'tokens.json')} is not a valid token file \\(.+\\)`)),
    ]);
  });

  it('does not stop a start with LEDGER_TOKENS: those tokens work, and the log names the file', async () => {
    const dataDir = freshDir();
    const fixed = 'fixed-secretariat-token-0123456789';
    writeFileSync(join(dataDir, 'tokens.json'), CORRUPT, { mode: 0o600 });
    const server = await startServer(dataDir, { LEDGER_TOKENS: `secretariat:${fixed}` });
    try {
      const agenda = await fetch(`${server.baseUrl}/v1/agenda`, { headers: { authorization: `Bearer ${fixed}` } });
      expect(agenda.status).toBe(200);
      const errors = server.output.filter((line) => line.includes('"level":50'));
      expect(errors.join('\n')).toContain(`${join(dataDir, 'tokens.json')} is not a valid token file`);
    } finally {
      expect(await stop(server)).toBe(0);
    }
  });
});
