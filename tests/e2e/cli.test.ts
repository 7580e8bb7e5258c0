import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { timelineProjection } from '../../src/projections/timeline/timelineProjection.js';

const run = promisify(execFile);
const dataDir = mkdtempSync(join(tmpdir(), 'ledger-cli-'));
const ledger = (...args: string[]) =>
  run(process.execPath, ['--import', 'tsx', 'src/cli/ledger.ts', ...args], {
    env: { ...process.env, LEDGER_DATA_DIR: dataDir, LEDGER_TOKENS: '' },
  });

beforeAll(async () => {
  await ledger('demo');
}, 60_000);
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('the ledger command', () => {
  it('runs the demo twice without appending anything the second time', async () => {
    const { stdout } = await ledger('demo');
    expect(stdout).toMatch(/0 events appended, \d+ steps already recorded/);
  });

  it('replays the timeline as of a position, before the Lake Chad Basin assessment was recorded', async () => {
    const all = JSON.parse((await ledger('replay', '--as-of', '999999', '--projection', 'timeline')).stdout) as {
      timeline: { position: number; theatres: { theatre: string }[] };
    };
    expect(all.timeline.theatres.map((t) => t.theatre)).toEqual(['lake-chad-basin', 'mosul', 'raqqa']);
    const earlier = JSON.parse(
      (await ledger('replay', '--as-of', String(all.timeline.position - 3), '--projection', 'timeline')).stdout,
    ) as {
      timeline: { position: number; theatres: { theatre: string }[] };
    };
    expect(earlier.timeline.position).toBe(all.timeline.position - 3);
    expect(earlier.timeline.theatres.map((t) => t.theatre)).toEqual(['mosul', 'raqqa']);
  });

  it('replays every projection as of a recorded time, and nothing before the first event', async () => {
    const { stdout } = await ledger('replay', '--as-of', '2000-01-01T00:00:00Z');
    const views = JSON.parse(stdout) as Record<string, { position: number }>;
    expect(Object.keys(views).sort()).toEqual(['agenda', 'attendance', 'timeline']);
    for (const view of Object.values(views)) expect(view.position).toBe(0);
  });

  it('rebuilds the projections from zero', async () => {
    const { stdout } = await ledger('projections', 'rebuild');
    expect(stdout).toMatch(/rebuilt agenda v\d+ up to position \d+/);
    expect(stdout).toMatch(new RegExp(`rebuilt timeline v${timelineProjection.version}`));
  });

  it('refuses an unknown projection or a bad --as-of with exit code 2 and the usage', async () => {
    for (const args of [['projections', 'rebuild', 'minutes'], ['replay', '--as-of', 'yesterday'], ['replay']]) {
      const failure = (await ledger(...args).catch((error: unknown) => error)) as { code: number; stderr: string };
      expect(failure.code).toBe(2);
      expect(failure.stderr).toContain('Usage: npm run ledger');
    }
  });
});
