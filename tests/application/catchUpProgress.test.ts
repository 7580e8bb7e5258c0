import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { describeProgress, progressAt, watchCatchUp } from '../../src/application/catchUpProgress.js';
import { rebuildProjections } from '../../src/cli/projectionCommands.js';
import { loadConfig } from '../../src/config.js';
import { closeLedger, openLedger } from '../../src/main.js';
import { admitted } from '../projections/coalitionEvents.js';
import { appendAll } from '../projections/ledgerFiles.js';

describe('the progress of a catch-up', () => {
  it('given a rebuild of a million positions, a quarter done after 10 s: 25%, 25,000 a second, 30 s left', () => {
    const progress = progressAt({ from: 0, head: 1_000_000, startedMs: 0 }, 250_000, 10_000);
    expect(progress).toEqual({ position: 250_000, head: 1_000_000, percent: 25, perSecond: 25_000, secondsLeft: 30 });
    expect(describeProgress(progress)).toBe('position 250000 of 1000000 (25%), 25000 a second, about 30 s left');
  });

  it('given a catch-up that began at position 900,000, counts only what it had to do', () => {
    const progress = progressAt({ from: 900_000, head: 1_000_000, startedMs: 1_000 }, 950_000, 6_000);
    expect(progress).toMatchObject({ percent: 50, perSecond: 10_000, secondsLeft: 5 });
  });

  it('given nothing applied yet, says no time left rather than dividing by nothing', () => {
    const progress = progressAt({ from: 0, head: 500, startedMs: 0 }, 0, 2_000);
    expect(progress).toEqual({ position: 0, head: 500, percent: 0, perSecond: 0 });
    expect(describeProgress(progress)).toBe('position 0 of 500 (0%), 0 a second');
  });
});

describe('watching a catch-up', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reports every interval until the position reaches the head it began with, and never after', async () => {
    vi.useFakeTimers();
    let position = 0;
    let clock = 0;
    const reports: number[] = [];
    await watchCatchUp(
      { position: () => position, head: () => Promise.resolve(300) },
      (progress) => reports.push(progress.position),
      { everyMs: 1_000, now: () => clock },
    );
    for (const next of [100, 200, 300, 400]) {
      position = next;
      clock += 1_000;
      vi.advanceTimersByTime(1_000);
    }
    expect(reports).toEqual([100, 200]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('reports nothing once stopped, and nothing at all for projections already at the head', async () => {
    vi.useFakeTimers();
    const reports: unknown[] = [];
    const stopped = await watchCatchUp(
      { position: () => 10, head: () => Promise.resolve(20) },
      (p) => reports.push(p),
      { everyMs: 100 },
    );
    stopped.stop();
    await watchCatchUp({ position: () => 20, head: () => Promise.resolve(20) }, (p) => reports.push(p), {
      everyMs: 100,
    });
    vi.advanceTimersByTime(1_000);
    expect(reports).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('ledger projections rebuild on a long log', () => {
  const work = mkdtempSync(join(tmpdir(), 'ledger-progress-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('says on its progress channel where it stands, position by position up to the head, and its result on stdout', async () => {
    const config = loadConfig({ LEDGER_DATA_DIR: work, LEDGER_SQLITE_SYNCHRONOUS: 'NORMAL', LEDGER_TOKENS: '' });
    const ledger = await openLedger(config);
    const members = Array.from({ length: 3_000 }, (_, i) =>
      admitted({ id: `member-${i}`, name: `Member ${i}`, kind: 'state' }),
    );
    const head = await appendAll(ledger.store, members);
    await closeLedger(ledger);
    const printed: string[] = [];
    const progress: string[] = [];
    await rebuildProjections(config, undefined, (line) => printed.push(line), {
      progress: (line) => progress.push(line),
      progressEveryMs: 1,
    });
    expect(printed.at(-1)).toMatch(/^in \d+ ms, one read of the log$/);
    expect(progress.length).toBeGreaterThan(0);
    const positions = progress.map((line) => {
      const match = /^rebuilding: position (\d+) of (\d+) \((\d+)%\), \d+ a second(, about \d+ s left)?$/.exec(line);
      expect(match, line).not.toBeNull();
      expect(Number(match?.[2])).toBe(head);
      return Number(match?.[1]);
    });
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(positions.every((p) => p < head)).toBe(true);
  }, 60_000);
});
