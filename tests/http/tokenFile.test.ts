import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { TokenFile, TokenFileUnreadable } from '../../src/http/tokenFile.js';
import { TokenRegistry } from '../../src/http/tokens.js';

const run = promisify(execFile);
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));
const fresh = () => {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-tokenfile-'));
  dirs.push(dir);
  return dir;
};

describe('the token file', () => {
  it('keeps every token added by processes writing at once, digests only, mode 0600', async () => {
    const dir = fresh();
    const script = `import { TokenFile } from './src/http/tokenFile.ts';
      const file = new TokenFile(process.argv[1]);
      for (let i = 0; i < 10; i += 1) process.stdout.write(file.add('reporter', 'job').token + '\\n');`;
    const outputs = await Promise.all(
      [1, 2, 3, 4].map(() => run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, dir])),
    );
    const printed = outputs.flatMap((o) => o.stdout.trim().split('\n'));
    expect(printed).toHaveLength(40);
    const registry = new TokenRegistry([], new TokenFile(dir).active());
    for (const token of printed) expect(registry.authenticate(token)?.role).toBe('reporter');
    const text = readFileSync(join(dir, 'tokens.json'), 'utf8');
    for (const token of printed) expect(text).not.toContain(token);
    expect(statSync(join(dir, 'tokens.json')).mode & 0o777).toBe(0o600);
  }, 60_000);

  it('generates first-start tokens once, even when asked twice', () => {
    const file = new TokenFile(fresh());
    expect(file.generateFirst()).toHaveLength(3);
    expect(file.generateFirst()).toBeUndefined();
    expect(file.list()).toHaveLength(3);
  });

  it('applies a revocation made before watching began as soon as it watches', () => {
    const file = new TokenFile(fresh());
    const { token, stored } = file.add('auditor', 'desk');
    const registry = new TokenRegistry([], file.active());
    file.revoke(stored.id);
    const stop = file.watch(registry, () => undefined, 60_000);
    try {
      expect(registry.authenticate(token)).toBeUndefined();
    } finally {
      stop();
    }
  });

  it('accepts a token added by another process on its first use, re-reading the file only when it changed', () => {
    // given a server's registry, whose periodic look at the file is too far off to help
    const dir = fresh();
    const file = new TokenFile(dir);
    file.add('secretariat', 'desk');
    let reloads = 0;
    const registry = new (class extends TokenRegistry {
      override replaceManaged(tokens: Parameters<TokenRegistry['replaceManaged']>[0]) {
        reloads += 1;
        super.replaceManaged(tokens);
      }
    })([], file.active());
    const stop = file.watch(registry, () => undefined, 60_000);
    try {
      const loaded = reloads;
      // unknown tokens do not make it read an unchanged file
      for (let i = 0; i < 20; i += 1) expect(registry.authenticate(`guess-${i}-0123456789abcdef`)).toBeUndefined();
      expect(reloads).toBe(loaded);
      // when the CLI adds a token, then it is accepted on the next request
      const { token, stored } = new TokenFile(dir).add('reporter', 'weekly report job');
      expect(registry.authenticate(token)).toEqual({
        role: 'reporter',
        id: stored.id,
        actor: `reporter#${stored.id}`,
        formerActor: `reporter#${stored.sha256.slice(0, 8)}`,
      });
      expect(reloads).toBe(loaded + 1);
    } finally {
      stop();
    }
  });

  it('names the file and what is wrong with it when it cannot be read', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'tokens.json'), '{"version": 2, "tokens": [', { mode: 0o600 });
    expect(() => new TokenFile(dir).active()).toThrow(
      new RegExp(`^${join(dir, 'tokens.json')} is not a valid token file`),
    );
    writeFileSync(join(dir, 'tokens.json'), '{"version": 2, "tokens": [{"role": "admin"}]}', { mode: 0o600 });
    expect(() => new TokenFile(dir).active()).toThrow(TokenFileUnreadable);
  });
});

describe('the token file lock', () => {
  const lockOf = (dir: string) => join(dir, 'tokens.json.lock');

  it('takes over a lock whose holder is no longer running', () => {
    const dir = fresh();
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(lockOf(dir), JSON.stringify({ pid: gone, host: hostname(), nonce: 'crashed' }), { mode: 0o600 });
    const file = new TokenFile(dir);
    const { stored } = file.add('auditor', 'after a crash');
    expect(file.revoke(stored.id)?.revokedAt).not.toBeNull();
    expect(existsSync(lockOf(dir))).toBe(false);
  });

  it('takes over a lock older than any holder keeps it, whoever holds it', () => {
    const dir = fresh();
    writeFileSync(lockOf(dir), JSON.stringify({ pid: process.pid, host: hostname(), nonce: 'stuck' }), { mode: 0o600 });
    const fifteenSecondsAgo = new Date(Date.now() - 15_000);
    utimesSync(lockOf(dir), fifteenSecondsAgo, fifteenSecondsAgo);
    expect(new TokenFile(dir).add('auditor', 'after a hang').stored.role).toBe('auditor');
    expect(existsSync(lockOf(dir))).toBe(false);
  });
});
