import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
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
  await ledger(ledgerDir, 'demo');
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

    await ledger(ledgerDir, 'demo'); // appends nothing; the log must still extend the checkpoint
    const newer = join(work, 'cp-new.txt');
    writeFileSync(newer, (await ledger(ledgerDir, 'audit', 'checkpoint')).stdout);
    expect(JSON.parse((await ledger(ledgerDir, 'audit', 'consistency', older, newer)).stdout)).toMatchObject({
      verified: true,
    });
    const report = JSON.parse(
      (await ledger(ledgerDir, 'audit', 'verify', '--checkpoint', older, '--checkpoint', newer)).stdout,
    ) as Report;
    expect(report.ok).toBe(true);
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
    const again = await failure(ledger(join(work, 'copy'), 'import', '--from', file));
    expect(again.stderr).toMatch(/empty store/);
  });

  it('replays every projection from zero in a scratch area and agrees with the live rows, at the head and before', async () => {
    await ledger(ledgerDir, 'projections', 'rebuild');
    const { projections } = JSON.parse((await ledger(ledgerDir, 'audit', 'replay', '--as-of', '999999')).stdout) as {
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
