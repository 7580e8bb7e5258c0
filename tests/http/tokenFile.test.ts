import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { TokenFile } from '../../src/http/tokenFile.js';
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
});
