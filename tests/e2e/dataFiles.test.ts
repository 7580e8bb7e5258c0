import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer, stop } from './serverProcess.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-files-'));
  dirs.push(dir);
  return dir;
};

const CORRUPT = '{"version": 2, "tokens": [';

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
