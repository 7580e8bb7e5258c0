import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';
import { withLedger } from '../../src/cli/projectionCommands.js';
import { closeLedger, openLedger, type Ledger } from '../../src/main.js';
import { meetingStream } from '../../src/domain/events.js';
import { farBehind, ProjectionCatchUp, type WorkerReport } from '../../src/projectionCatchUp.js';
import { projectionNames } from '../../src/projections/catalog.js';
import { wholeAttendance } from '../../src/projections/wholeViews.js';
import { admitted } from './coalitionEvents.js';
import { appendAll, waitUntil } from './ledgerFiles.js';

const work = mkdtempSync(join(tmpdir(), 'ledger-catch-up-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const members = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) =>
    admitted({ id: `member-${from + i}`, name: `Member ${from + i}`, kind: 'state' }),
  );

/** A SQLite ledger in a folder of its own with `count` members admitted, its projections never fed. */
const ledgerWith = async (name: string, count: number): Promise<{ config: Config; head: number }> => {
  const config = loadConfig({
    LEDGER_DATA_DIR: join(work, name),
    LEDGER_SQLITE_SYNCHRONOUS: 'NORMAL',
    LEDGER_TOKENS: '',
  });
  const ledger = await openLedger(config);
  const head = await appendAll(ledger.store, members(0, count));
  await closeLedger(ledger);
  return { config, head };
};

const participants = (ledger: Ledger) =>
  [...wholeAttendance(ledger.projections.database.db, {}, ledger.projections.position(), 1_000)].length;

describe('catching up the projections on a worker thread', () => {
  it('given projections never fed, applies the log up to its head there, then the server engine takes up from its checkpoints', async () => {
    const { config, head } = await ledgerWith('whole', 3_000);
    await withLedger(config, async (ledger) => {
      expect(await farBehind(ledger.projections, ledger.store)).toBe(true);
      const catchUp = new ProjectionCatchUp(config, 0, { progressEveryMs: 5 });
      await catchUp.done;
      expect(catchUp.applied()).toBe(head);
      for (const name of projectionNames) expect(ledger.projections.database.checkpoint(name)?.position).toBe(head);

      // Appended after the worker ended: the engine's own follower applies them, from the checkpoints on.
      const later = await appendAll(ledger.store, members(3_000, 5));
      ledger.projections.reload();
      ledger.follower.start();
      await ledger.follower.caughtUp;
      expect(await ledger.projections.waitFor('attendance', later, 5_000)).toBe(true);
      expect(participants(ledger)).toBe(3_005);
    });
  });

  it('stopped half way, leaves committed rows and checkpoints the engine goes on from', async () => {
    const { config, head } = await ledgerWith('stopped', 20_000);
    await withLedger(config, async (ledger) => {
      const catchUp = new ProjectionCatchUp(config, 0, { progressEveryMs: 5 });
      await waitUntil(() => catchUp.applied() > 0, 'the worker to apply something', 20_000);
      await catchUp.stop();
      await expect(catchUp.done).rejects.toThrow(/stopped before the head/);
      await catchUp.exited;
      const committed = ledger.projections.database.checkpoint('attendance')?.position ?? 0;
      expect(committed).toBeGreaterThan(0);
      expect(committed).toBeLessThan(head);
      ledger.projections.reload();
      ledger.follower.start();
      await ledger.follower.caughtUp;
      expect(await ledger.projections.waitFor('attendance', head, 5_000)).toBe(true);
      expect(participants(ledger)).toBe(20_000);
    });
  }, 60_000);

  it('says what a projection that fails there would have logged, and goes on with the others', async () => {
    const { config, head } = await ledgerWith('failing', 20);
    await withLedger(config, async (ledger) => {
      const malformed = await ledger.store.appendToStream(meetingStream('01M8YNPFP20WBTTDE8EKR2EM0X'), [
        { eventId: randomUUID(), type: 'MeetingScheduled', data: { meetingId: 'x' }, metadata: {} },
      ]);
      const reports: WorkerReport[] = [];
      const catchUp = new ProjectionCatchUp(config, 0, { onReport: (report) => reports.push(report) });
      await catchUp.done;
      expect(reports.map((r) => [r.level, r.msg, r.details.projection]).sort()).toEqual(
        ['agenda', 'attendance', 'timeline'].map((name) => ['error', 'projection stopped', name]),
      );
      expect(reports[0]?.details.failure).toMatchObject({
        position: malformed.position,
        eventType: 'MeetingScheduled',
      });
      expect(head).toBeLessThan(malformed.position);
    });
  });

  it('is not needed for projections at the head, nor for a few events behind', async () => {
    const { config } = await ledgerWith('near', 20);
    await withLedger(config, async (ledger) => {
      ledger.follower.start();
      await ledger.follower.caughtUp;
      expect(await farBehind(ledger.projections, ledger.store)).toBe(false);
      await ledger.follower.stop(); // what follows is appended while nothing applies it
      await appendAll(ledger.store, members(20, 5));
      expect(await farBehind(ledger.projections, ledger.store, 10)).toBe(false);
      await appendAll(ledger.store, members(25, 10));
      expect(await farBehind(ledger.projections, ledger.store, 10)).toBe(true);
    });
  });
});
