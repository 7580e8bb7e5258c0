import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { projectionNamed, projectionNames } from '../../src/projections/catalog.js';
import { ProjectionEngine } from '../../src/projections/projectionEngine.js';
import type { ProjectionRunner } from '../../src/projections/projectionRunner.js';
import { replay } from '../../src/projections/replay.js';
import { commandSequences, decideAll } from './commandSequences.js';
import { openLedgerFiles } from './ledgerFiles.js';

type LedgerFiles = ReturnType<typeof openLedgerFiles> & { started: ProjectionEngine[] };

const throughJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

const runnersOf = (engine: ProjectionEngine) => Object.values(engine.runners) as ProjectionRunner<unknown>[];

/** Starts every projection on `snapshotFile` and waits until each has applied `position`. */
const runUntil = async (files: LedgerFiles, snapshotFile: string, position: number) => {
  const engine = new ProjectionEngine(files.events, files.openSnapshots(snapshotFile));
  files.started.push(engine);
  await engine.start();
  for (const runner of runnersOf(engine)) expect(await runner.waitFor(position, 5_000)).toBe(true);
  return engine;
};

describe('projections over random valid command sequences', () => {
  it('agree with a replay from zero whether they ran live, were restarted at a random position, or caught up', async () => {
    await fc.assert(
      fc.asyncProperty(commandSequences, fc.nat(), fc.nat(), async (commands, splitSeed, stopSeed) => {
        const events = decideAll(commands);
        const split = splitSeed % (events.length + 1);
        const files: LedgerFiles = { ...openLedgerFiles(), started: [] };
        try {
          // Live from an empty log, never stopped.
          const live = await runUntil(files, 'live.db', 0);

          // Stopped after exactly `split` events, restarted on the same files, the rest arriving live.
          const prefixHead = await files.append(events.slice(0, split));
          await (await runUntil(files, 'restarted.db', prefixHead)).stop();
          const restarted = await runUntil(files, 'restarted.db', prefixHead);
          const head = await files.append(events.slice(split));
          for (const runner of [...runnersOf(live), ...runnersOf(restarted)]) {
            expect(await runner.waitFor(head, 5_000)).toBe(true);
          }

          // Catching up on the whole log, stopped wherever it got to past a random position, restarted.
          await (await runUntil(files, 'caught-up.db', stopSeed % (head + 1))).stop();
          const caughtUp = await runUntil(files, 'caught-up.db', head);

          for (const name of projectionNames) {
            const replayed = await replay(files.events, projectionNamed(name));
            expect(replayed.position).toBe(head);
            const expected = throughJson(replayed.state);
            for (const engine of [live, restarted, caughtUp]) {
              const runner = engine.runners[name] as ProjectionRunner<unknown>;
              expect(runner.current().position).toBe(head);
              expect(throughJson(runner.current().state), name).toEqual(expected);
            }
          }
        } finally {
          for (const engine of files.started) await engine.stop();
          await files.remove();
        }
      }),
      { numRuns: 25 },
    );
  });

  it('draws sequences that exercise every event type', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(commandSequences, (commands) => {
        for (const event of decideAll(commands)) seen.add(event.type);
      }),
      { numRuns: 200, seed: 20170713 },
    );
    expect([...seen].sort()).toEqual([
      'AgendaItemAdded',
      'AttendanceRecorded',
      'MeetingCancelled',
      'MeetingClosed',
      'MeetingRescheduled',
      'MeetingScheduled',
      'MemberAdmitted',
      'ObserverInvited',
      'OutcomeRecorded',
    ]);
  });
});
