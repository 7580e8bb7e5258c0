import { execFile } from 'node:child_process';
import { createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from '../../src/sqliteDriver.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'ledger-audit-cli-'));
const ledgerDir = join(work, 'ledger');
const ledger = (dataDir: string, ...args: string[]) =>
  run(process.execPath, ['--import', 'tsx', 'src/cli/ledger.ts', ...args], {
    env: { ...process.env, LEDGER_DATA_DIR: dataDir, LEDGER_TOKENS: '' },
  });
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => ({ code: 0, stdout: '', stderr: '' }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
type Report = {
  ok: boolean;
  treeSize: number;
  rootHash: string;
  firstBreak?: { position: number; streamId: string; revision: number; reason: string };
};

beforeAll(async () => {
  // The illustrative week: the tests below need more events (position 20, line 30) than the note's 12.
  await ledger(ledgerDir, 'demo', '--illustrative');
}, 60_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the auditor’s command line', () => {
  it('signs a checkpoint, proves an event in it, and proves the log extends it', async () => {
    const older = join(work, 'cp-old.txt');
    writeFileSync(older, (await ledger(ledgerDir, 'audit', 'checkpoint')).stdout);
    const proof = JSON.parse(
      (await ledger(ledgerDir, 'audit', 'prove', '--position', '20', '--checkpoint', older)).stdout,
    ) as { verified: boolean; leafIndex: number };
    expect(proof).toMatchObject({ verified: true, leafIndex: 19 });

    await ledger(ledgerDir, 'demo', '--illustrative'); // appends nothing; the log must still extend the checkpoint
    const newer = join(work, 'cp-new.txt');
    writeFileSync(newer, (await ledger(ledgerDir, 'audit', 'checkpoint')).stdout);
    expect(JSON.parse((await ledger(ledgerDir, 'audit', 'consistency', older, newer)).stdout)).toMatchObject({
      verified: true,
    });
    const report = JSON.parse(
      (await ledger(ledgerDir, 'audit', 'verify', '--checkpoint', older, '--checkpoint', newer)).stdout,
    ) as Report;
    expect(report.ok).toBe(true);
  }, 60_000); // six runs of the CLI, each compiling it with tsx: ~9 s alone, three times that on a busy machine

  it('brings only the audit log up to date: a checkpoint does not rebuild the projections', async () => {
    const dir = join(work, 'no-projections');
    cpSync(ledgerDir, dir, { recursive: true });
    for (const name of readdirSync(dir)) if (name.startsWith('projections.sqlite')) rmSync(join(dir, name));
    expect((await ledger(dir, 'audit', 'checkpoint')).stdout).toMatch(/^meeting-ledger\n\d+\n/);
    const projections = new Database(join(dir, 'projections.sqlite'), { readonly: true });
    try {
      const positions = projections.prepare('SELECT position FROM projection_checkpoints').pluck().all();
      expect(positions.every((position) => position === 0)).toBe(true);
    } finally {
      projections.close();
    }
  });

  it('refuses a checkpoint that was altered after signing', async () => {
    const forged = join(work, 'forged.txt');
    const text = (await ledger(ledgerDir, 'audit', 'checkpoint')).stdout;
    writeFileSync(
      forged,
      text.replace(/\n(\d+)\n/, (_m, n: string) => `\n${Number(n) - 1}\n`),
    );
    const result = await failure(ledger(ledgerDir, 'audit', 'verify', '--checkpoint', forged));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no valid signature/);
  });

  it('exports the log and imports it into an empty store with the same root', async () => {
    const file = join(work, 'log.ndjson');
    await ledger(ledgerDir, 'export', '--format', 'ndjson', '--to', file);
    const original = JSON.parse((await ledger(ledgerDir, 'audit', 'verify')).stdout) as Report;
    const imported = JSON.parse((await ledger(join(work, 'copy'), 'import', '--from', file)).stdout) as Report & {
      imported: number;
    };
    expect(imported).toMatchObject({ ok: true, imported: original.treeSize, rootHash: original.rootHash });
    // Again: the store already holds the whole file, so nothing is appended (a retry is safe).
    const again = JSON.parse((await ledger(join(work, 'copy'), 'import', '--from', file)).stdout) as Report & {
      imported: number;
    };
    expect(again).toMatchObject({ ok: true, imported: 0, rootHash: original.rootHash });
  });

  it('refuses a file with a bad line in one line on stderr, exit 1, and leaves no data directory', async () => {
    const file = join(work, 'log.ndjson');
    const lines = readFileSync(file, 'utf8').split('\n');
    lines[29] = lines[29]!.replace(/"hash":"[0-9a-f]/, '"hash":"x');
    const bad = join(work, 'bad.ndjson');
    writeFileSync(bad, lines.join('\n'));
    const target = join(work, 'never-created');
    const refused = await failure(ledger(target, 'import', '--from', bad));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^import refused, nothing was appended: line 30: hash: must be a SHA-256 hash in hex\n$/,
    );
    expect(existsSync(target)).toBe(false);
  });

  it('replays every projection from zero in a scratch area and agrees with the live rows, at the head and before', async () => {
    await ledger(ledgerDir, 'projections', 'rebuild');
    const { projections } = JSON.parse((await ledger(ledgerDir, 'audit', 'replay')).stdout) as {
      projections: { name: string; digest: string; live: { agrees: boolean } }[];
    };
    expect(projections.map((p) => [p.name, p.live.agrees])).toEqual([
      ['agenda', true],
      ['attendance', true],
      ['timeline', true],
    ]);
    const earlier = JSON.parse((await ledger(ledgerDir, 'audit', 'replay', '--as-of', '10')).stdout) as {
      position: number;
      projections: { digest: string; live: { digest: string; agrees: boolean } }[];
    };
    expect(earlier.position).toBe(10);
    for (const p of earlier.projections) expect(p.live).toEqual({ digest: p.digest, agrees: true });
    // As of position 10 the ledger held less than it does now: the digests say so.
    expect(earlier.projections.map((p) => p.digest)).not.toEqual(projections.map((p) => p.digest));
  });

  it('exits 1 and names the first break when an event was edited behind the ledger’s back', async () => {
    const held = join(work, 'cp-before-tampering.txt');
    writeFileSync(held, (await ledger(ledgerDir, 'audit', 'checkpoint')).stdout);
    const db = new Database(join(ledgerDir, 'ledger.sqlite'));
    db.exec('DROP TRIGGER events_are_immutable');
    const victim = db
      .prepare<[], { position: number; stream_id: string; revision: number }>(
        "SELECT position, stream_id, revision FROM events WHERE type = 'OutcomeRecorded' AND data LIKE '%Mosul%'",
      )
      .get()!;
    db.prepare("UPDATE events SET data = replace(data, 'verge-of-liberation', 'liberated') WHERE position = ?").run(
      victim.position,
    );
    db.close();
    const result = await failure(ledger(ledgerDir, 'audit', 'verify', '--checkpoint', held));
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.firstBreak).toMatchObject({
      position: victim.position,
      streamId: victim.stream_id,
      revision: victim.revision,
    });
  });
});

/** Every file of a directory: size, modification time and SHA-256 of its bytes. */
const filesOf = (dir: string) =>
  Object.fromEntries(
    readdirSync(dir).map((name) => {
      const file = join(dir, name);
      const { size, mtimeMs } = statSync(file);
      return [name, { size, mtimeMs, sha256: createHash('sha256').update(readFileSync(file)).digest('hex') }];
    }),
  );

/**
 * What a verification may leave behind: nothing changed, and no new file but the empty write-ahead
 * log and the shared-memory index SQLite opens beside a WAL database for any reader.
 */
const expectUntouched = (before: ReturnType<typeof filesOf>, after: ReturnType<typeof filesOf>) => {
  for (const [name, file] of Object.entries(before)) expect(after[name], name).toEqual(file);
  const added = Object.keys(after).filter((name) => !(name in before));
  for (const name of added) expect(name).toMatch(/^(ledger|audit|projections)\.sqlite-(wal|shm)$/);
  for (const name of added.filter((n) => n.endsWith('-wal'))) expect(after[name]?.size, name).toBe(0);
};

describe('audit verify only reads', () => {
  // A ledger of its own: the tests above tamper with theirs.
  const pristine = join(work, 'pristine');
  beforeAll(async () => {
    await ledger(pristine, 'demo');
  }, 60_000);

  const copyOf = () => {
    const copy = mkdtempSync(join(work, 'copy-'));
    cpSync(pristine, copy, { recursive: true });
    for (const name of readdirSync(copy)) if (/-(wal|shm)$/.test(name)) rmSync(join(copy, name));
    return copy;
  };
  const publicKeyFile = () => {
    const file = join(work, 'public-key.pem');
    const pem = createPublicKey(createPrivateKey(readFileSync(join(pristine, 'signing-key.pem'))))
      .export({ type: 'spki', format: 'pem' })
      .toString();
    writeFileSync(file, pem);
    return { file, pem };
  };

  it('prints the public key checkpoints are signed with', async () => {
    const { pem } = publicKeyFile();
    expect((await ledger(pristine, 'audit', 'public-key')).stdout).toBe(pem);
  });

  it('leaves every file of the data directory byte-identical, with the key file or --public-key', async () => {
    const copy = copyOf();
    const before = filesOf(copy);
    const report = JSON.parse((await ledger(copy, 'audit', 'verify')).stdout) as Report;
    expect(report.ok).toBe(true);
    expectUntouched(before, filesOf(copy));
    const again = JSON.parse(
      (await ledger(copy, 'audit', 'verify', '--public-key', publicKeyFile().file)).stdout,
    ) as Report;
    expect(again).toEqual(report);
    expectUntouched(before, filesOf(copy));
  });

  it('creates no signing key: without one it exits 2 with one line, and verifies with --public-key', async () => {
    const copy = copyOf();
    rmSync(join(copy, 'signing-key.pem'));
    const before = filesOf(copy);
    const refused = await failure(ledger(copy, 'audit', 'verify'));
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim().split('\n')).toEqual([expect.stringMatching(/No signing key at .*--public-key/)]);
    const report = JSON.parse(
      (await ledger(copy, 'audit', 'verify', '--public-key', publicKeyFile().file)).stdout,
    ) as Report;
    expect(report.ok).toBe(true);
    expect(existsSync(join(copy, 'signing-key.pem'))).toBe(false);
    expectUntouched(before, filesOf(copy));
  });

  it('verifies a ledger whose audit log never ran, creating no audit store', async () => {
    const copy = copyOf();
    rmSync(join(copy, 'audit.sqlite'));
    const report = JSON.parse((await ledger(copy, 'audit', 'verify')).stdout) as Report;
    expect(report).toMatchObject({ ok: true, checkpointsChecked: 0 });
    expect(existsSync(join(copy, 'audit.sqlite'))).toBe(false);
  });

  it('replays as of a position, and compares a replay with the live projections, without writing anything', async () => {
    const copy = copyOf();
    const before = filesOf(copy);
    const replayed = JSON.parse((await ledger(copy, 'replay', '--as-of', '10')).stdout) as Record<
      string,
      { position: number }
    >;
    expect(Object.values(replayed).map((view) => view.position)).toEqual([10, 10, 10]); // of the demo's 12
    const compared = JSON.parse((await ledger(copy, 'audit', 'replay', '--as-of', '10')).stdout) as {
      projections: { live: { agrees: boolean } }[];
    };
    expect(compared.projections.map((p) => p.live.agrees)).toEqual([true, true, true]);
    expectUntouched(before, filesOf(copy));
  });
});
