import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  amendMosul,
  ledgerOn,
  openStore,
  readMeeting,
  recordMosul,
  schedule,
  spyOnReads,
  stream,
} from './handlerFixtures.js';
import { DEFAULT_FOLD_PAGE } from '../../src/application/foldedStreams.js';
import { countTurns } from '../eventLoopTurns.js';

// Issue 10: a stream may hold 100,000 events (LEDGER_LIMITS eventsPerStream). Folding one that no
// fold in this process holds yet must leave the event loop to other requests between pages.

let opened: ReturnType<typeof openStore>;
beforeEach(async () => {
  opened = openStore();
  const writer = ledgerOn(opened.store);
  await writer.run(schedule);
  await writer.run(recordMosul);
  for (let n = 1; n <= 118; n++) await writer.run(amendMosul(n)); // 120 events, revisions 0 to 119
});
afterEach(async () => {
  await opened.remove();
});

/** The turn of the event loop in which each read of the meeting's stream began. */
const turnsOfReads = () => {
  const turns = countTurns();
  const atRead: number[] = [];
  const readStream = opened.store.readStream.bind(opened.store);
  opened.store.readStream = (streamId, options) => {
    if (streamId === stream) atRead.push(turns.now());
    return readStream(streamId, options);
  };
  return { atRead, stop: turns.stop };
};

describe('folding a long stream that is not cached', () => {
  it('reads it a page at a time and lets the event loop turn between pages', async () => {
    const ledger = ledgerOn(opened.store, { foldPageSize: 50 });
    const reads = spyOnReads(opened.store);
    const { atRead: turnsAtRead, stop } = turnsOfReads();
    const { revision, meeting } = await readMeeting(ledger);
    stop();
    expect(revision).toBe(119);
    expect(meeting.outcomes[0]).toMatchObject({ summary: 'Mosul, reading 118', corrections: 118 });
    expect(reads.of(stream)).toEqual([
      { fromRevision: 0, maxCount: 50 },
      { fromRevision: 50, maxCount: 50 },
      { fromRevision: 100, maxCount: 50 },
    ]);
    expect(turnsAtRead[1]).toBeGreaterThan(turnsAtRead[0]!);
    expect(turnsAtRead[2]).toBeGreaterThan(turnsAtRead[1]!);
  });

  it('gives every page its own turn when several folds run at once, the first page too', async () => {
    // Ten clients reading ten long meetings must not hold a request behind ten pages in one turn.
    const ledgers = [1, 2, 3].map(() => ledgerOn(opened.store, { foldPageSize: 50 }));
    const { atRead: turnsAtRead, stop } = turnsOfReads();
    const folded = await Promise.all(ledgers.map(readMeeting));
    stop();
    expect(folded.map((f) => f.revision)).toEqual([119, 119, 119]);
    expect(turnsAtRead).toHaveLength(9);
    expect(new Set(turnsAtRead).size).toBe(9);
  });

  it('folds to the same meeting whatever the page size', async () => {
    const paged = await readMeeting(ledgerOn(opened.store, { foldPageSize: 7 }));
    const whole = await readMeeting(ledgerOn(opened.store, { foldPageSize: 1000 }));
    expect(paged).toEqual(whole);
  });

  it('reads pages of DEFAULT_FOLD_PAGE events unless told otherwise', async () => {
    const reads = spyOnReads(opened.store);
    await readMeeting(ledgerOn(opened.store));
    expect(reads.of(stream)).toEqual([{ fromRevision: 0, maxCount: DEFAULT_FOLD_PAGE }]);
  });
});
