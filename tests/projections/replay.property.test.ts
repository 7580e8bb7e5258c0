import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { projectionNames } from '../../src/projections/catalog.js';
import type { ProjectionEngine } from '../../src/projections/projectionEngine.js';
import { wholeView } from '../../src/projections/wholeViews.js';
import { commandSequences, decideAll } from './commandSequences.js';
import { openLedgerFiles } from './ledgerFiles.js';

type Files = ReturnType<typeof openLedgerFiles>;

/** Everything every projection answers as of `at`, read in pages of three. */
const answersAt = (engine: ProjectionEngine, at: number) =>
  Object.fromEntries(projectionNames.map((name) => [name, [...wholeView(name, engine.database.db, at, 3)]]));

/** Projections on `file`, fed until each has applied `position`. */
const runUntil = async (files: Files, file: string, position: number) => {
  const engine = files.openProjections(file);
  files.follow(engine);
  for (const name of projectionNames) expect(await engine.waitFor(name, position, 5_000)).toBe(true);
  return engine;
};

describe('projections over random valid command sequences', () => {
  it('answer as a replay from zero does, whether they ran live, were restarted at a random position, or caught up', async () => {
    await fc.assert(
      fc.asyncProperty(commandSequences, fc.nat(), fc.nat(), async (commands, splitSeed, stopSeed) => {
        const events = decideAll(commands);
        const split = splitSeed % (events.length + 1);
        const files = openLedgerFiles();
        try {
          // Live from an empty log, never stopped.
          const live = await runUntil(files, 'live.db', 0);

          // Stopped after exactly `split` events, restarted on the same file, the rest arriving live.
          const prefixHead = await files.append(events.slice(0, split));
          const beforeRestart = await runUntil(files, 'restarted.db', prefixHead);
          const restartedAnswers = answersAt(beforeRestart, prefixHead);
          const head = await files.append(events.slice(split));
          for (const name of projectionNames) expect(await live.waitFor(name, head, 5_000)).toBe(true);

          // A replay from zero of the whole log, on a file of its own.
          const replayed = await runUntil(files, 'replayed.db', head);
          const expected = answersAt(replayed, head);
          expect(answersAt(live, head)).toEqual(expected);

          await files.stopAll();
          const restarted = await runUntil(files, 'restarted.db', head);
          expect(answersAt(restarted, prefixHead)).toEqual(restartedAnswers);
          expect(answersAt(restarted, head)).toEqual(expected);
          await files.stopAll();

          // Time travel: as of a random position, the live rows answer as a replay of the log up to there.
          const at = stopSeed % (head + 1);
          const prefix = openLedgerFiles();
          try {
            // The same events, recorded at the same times, in a log that ends at `at`.
            for (const e of await files.events.readAll({ maxCount: at })) {
              const { eventId, type, data, metadata, recordedAt } = e;
              await prefix.events.appendToStream(e.streamId, [{ eventId, type, data, metadata, recordedAt }]);
            }
            const upToThen = await runUntil(prefix, 'prefix.db', at);
            const reopened = await runUntil(files, 'live.db', head);
            expect(answersAt(reopened, at)).toEqual(answersAt(upToThen, at));
          } finally {
            await prefix.remove();
          }
        } finally {
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
