import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer, stop } from './serverProcess.js';

const run = promisify(execFile);
const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-tokens-'));
  dirs.push(dir);
  return dir;
};

/** `npm run ledger -- tokens ...` as an operator runs it, beside the running server. */
const tokensCli = async (dataDir: string, ...args: string[]) =>
  (
    await run(process.execPath, ['--import', 'tsx', 'src/cli/ledger.ts', 'tokens', ...args], {
      env: { ...process.env, LEDGER_DATA_DIR: dataDir, LEDGER_TOKENS: '' },
    })
  ).stdout.trim();

describe('token rotation without a restart', () => {
  it('accepts a token added with the CLI on its first use, refuses it within seconds of its revocation, and stores no token', async () => {
    const dataDir = freshDir();
    const server = await startServer(dataDir, { LOG_LEVEL: 'warn' });
    try {
      const agenda = async (token: string) =>
        (await fetch(`${server.baseUrl}/v1/agenda`, { headers: { authorization: `Bearer ${token}` } })).status;
      const generated = /secretariat\s+(\S{20,})/.exec(server.output.join('\n'))?.[1] ?? '';

      const added = await tokensCli(dataDir, 'add', '--role', 'reporter', '--name', 'weekly report job');
      expect(added).toMatch(/^[A-Za-z0-9_-]{32}$/);
      // The next request, not a poll: the server looks at the file when it meets an unknown token.
      expect(await agenda(added)).toBe(200);
      const another = await tokensCli(dataDir, 'add', '--role', 'reporter', '--name', 'second desk');
      expect(await agenda(another)).toBe(200);

      // A live feed opened with the token must end once it is revoked, not stay open on its heartbeat.
      const stream = await fetch(`${server.baseUrl}/v1/events/live`, { headers: { authorization: `Bearer ${added}` } });
      expect(stream.status).toBe(200);
      const streamEnded = (async () => {
        const reader = stream.body!.getReader();
        while (!(await reader.read()).done) {
          // reading until the server ends the stream
        }
        return true;
      })();

      const listed = await tokensCli(dataDir, 'list');
      const line = listed.split('\n').find((l) => l.includes('weekly report job')) ?? '';
      const id = /^(tok_\S+)/.exec(line)?.[1] ?? '';
      expect(line).toMatch(/^tok_\S+\s+reporter\s+active\s+created \S+\s+earlier events: reporter#[0-9a-f]{8}/);
      await tokensCli(dataDir, 'revoke', id);
      await expect.poll(() => agenda(added), { timeout: 10_000, interval: 200 }).toBe(401);
      await expect(Promise.race([streamEnded, new Promise((r) => setTimeout(() => r(false), 10_000))])).resolves.toBe(
        true,
      );
      expect(statSync(join(dataDir, 'tokens.json')).mode & 0o777).toBe(0o600);
      expect(await agenda(generated)).toBe(200);

      const stored = readFileSync(join(dataDir, 'tokens.json'), 'utf8');
      expect(stored).not.toContain(added);
      expect(stored).not.toContain(generated);
      expect(await tokensCli(dataDir, 'list')).toMatch(/reporter\s+revoked/);
    } finally {
      await stop(server);
    }
  }, 60_000);

  it('reads a token file of the first format and rewrites it as digests', async () => {
    const dataDir = freshDir();
    const legacy = 'legacy-plain-token-0123456789abcdef';
    writeFileSync(join(dataDir, 'tokens.json'), JSON.stringify([{ role: 'auditor', token: legacy }]), { mode: 0o600 });
    const server = await startServer(dataDir, { LOG_LEVEL: 'warn' });
    try {
      const verify = await fetch(`${server.baseUrl}/v1/audit/verify`, {
        headers: { authorization: `Bearer ${legacy}` },
      });
      expect(verify.status).toBe(200);
      expect(readFileSync(join(dataDir, 'tokens.json'), 'utf8')).not.toContain(legacy);
    } finally {
      await stop(server);
    }
  }, 60_000);
});
