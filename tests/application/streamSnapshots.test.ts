import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventHash } from '../../src/audit/canonical.js';
import { SqliteStreamSnapshots } from '../../src/application/sqliteStreamSnapshots.js';
import type { EventStore } from '../../src/eventStore/eventStore.js';
import {
  amendMosul,
  ledgerOn,
  openStore,
  readMeeting,
  recordMosul,
  schedule,
  spyOnReads,
  stream,
  type Ledger,
} from './handlerFixtures.js';
import { DEFAULT_FOLD_PAGE } from '../../src/application/foldedStreams.js';

// Issue 10: after a restart, a meeting of 50,000 events must answer in under 100 ms. A snapshot of
// its fold, saved now and then, spares the fold of everything before it, as long as the log still
// holds the very event the snapshot was taken at.

const EVERY = 20;

let opened: ReturnType<typeof openStore>;
let snapshots: SqliteStreamSnapshots;
const others: ReturnType<typeof openStore>[] = [];

const withSnapshots = (store: EventStore, options: Parameters<typeof ledgerOn>[1] = {}) =>
  ledgerOn(store, { snapshots, snapshotEvery: EVERY, ...options });

/** The Small Group, then `amendments` corrections of its Mosul outcome (2 + amendments events). */
const writeMeeting = async (ledger: Ledger, amendments: number, first = 1) => {
  await ledger.run(schedule);
  await ledger.run(recordMosul);
  for (let n = first; n < first + amendments; n++) await ledger.run(amendMosul(n));
  await ledger.handler.snapshotsSaved();
};

/** Another store holding the first `count` events of the meeting, as a backup taken earlier would. */
const olderCopy = async (count: number) => {
  const older = openStore();
  others.push(older);
  for (const event of (await opened.store.readStream(stream)).slice(0, count)) {
    const { eventId, type, data, metadata } = event;
    await older.store.appendToStream(stream, [{ eventId, type, data, metadata }]);
  }
  return older.store;
};

beforeEach(() => {
  opened = openStore();
  snapshots = new SqliteStreamSnapshots(join(opened.dir, 'stream-snapshots.sqlite'));
});
afterEach(async () => {
  await snapshots.close();
  for (const other of others.splice(0)) await other.remove();
  await opened.remove();
});

describe('saving a stream’s fold', () => {
  it('saves none for a stream shorter than the interval', async () => {
    await writeMeeting(withSnapshots(opened.store), EVERY - 3);
    expect(await snapshots.load(stream)).toBeUndefined();
  });

  it('saves one once the fold is the interval past the start, and again the interval after that', async () => {
    await writeMeeting(withSnapshots(opened.store), EVERY);
    const first = await snapshots.load(stream);
    expect(first?.revision).toBeGreaterThanOrEqual(EVERY - 1);
    expect(first?.revision).toBeLessThan(2 * EVERY - 1);
    const ledger = withSnapshots(opened.store);
    for (let n = 1; n <= EVERY; n++) await ledger.run(amendMosul(1000 + n));
    await ledger.handler.snapshotsSaved();
    expect((await snapshots.load(stream))?.revision).toBeGreaterThanOrEqual(first!.revision + EVERY);
  });

  it('saves no state whose JSON is larger than the bound', async () => {
    await writeMeeting(withSnapshots(opened.store, { maxSnapshotBytes: 200 }), EVERY * 2);
    expect(await snapshots.load(stream)).toBeUndefined();
  });
});

describe('a restarted handler', () => {
  it('starts from the snapshot and reads only the events after it, to the same meeting', async () => {
    await writeMeeting(withSnapshots(opened.store), EVERY + 10);
    const saved = (await snapshots.load(stream))!;
    const reads = spyOnReads(opened.store);
    const restarted = await readMeeting(withSnapshots(opened.store));
    expect(reads.of(stream)).toEqual([
      { fromRevision: saved.revision, maxCount: 1 }, // the check that the log still holds it
      { fromRevision: saved.revision + 1, maxCount: DEFAULT_FOLD_PAGE },
    ]);
    expect(restarted).toEqual(await readMeeting(ledgerOn(opened.store)));
    expect(restarted.revision).toBe(EVERY + 11);
  });

  it('ignores a snapshot taken past the end of a log restored from an older backup', async () => {
    await writeMeeting(withSnapshots(opened.store), EVERY + 10);
    const older = await olderCopy(EVERY - 5);
    const reads = spyOnReads(older);
    const { revision } = await readMeeting(withSnapshots(older));
    expect(revision).toBe(EVERY - 6);
    expect(reads.of(stream).at(-1)).toEqual({ fromRevision: 0, maxCount: DEFAULT_FOLD_PAGE });
  });

  it('ignores a snapshot whose event the log holds with another hash, and folds the log’s own events', async () => {
    await writeMeeting(withSnapshots(opened.store), EVERY + 10);
    const other = openStore();
    others.push(other);
    await writeMeeting(ledgerOn(other.store), EVERY + 10, 500); // the same meeting, other corrections
    const restarted = withSnapshots(other.store);
    const { meeting } = await readMeeting(restarted);
    expect(meeting.outcomes[0]?.summary).toBe(`Mosul, reading ${500 + EVERY + 9}`);
    expect(meeting).toEqual((await readMeeting(ledgerOn(other.store))).meeting);
    await restarted.handler.snapshotsSaved(); // the snapshot now follows the log it was checked against
    const [last] = await other.store.readStream(stream, { direction: 'backwards', maxCount: 1 });
    expect(await snapshots.load(stream)).toMatchObject({ revision: last?.revision, lastHash: eventHash(last!) });
  });

  it('ignores a snapshot of another shape version or that does not parse', async () => {
    await writeMeeting(withSnapshots(opened.store), EVERY + 10);
    const saved = (await snapshots.load(stream))!;
    for (const broken of [
      { ...saved, version: saved.version + 1 },
      { ...saved, stateJson: '{"status":' },
    ]) {
      await snapshots.save(broken);
      const restarted = withSnapshots(opened.store);
      const reads = spyOnReads(opened.store);
      expect((await readMeeting(restarted)).revision).toBe(EVERY + 11);
      expect(reads.of(stream).at(-1)).toEqual({ fromRevision: 0, maxCount: DEFAULT_FOLD_PAGE });
      await restarted.handler.snapshotsSaved(); // the refold saves a good one again
      expect(await snapshots.load(stream)).toMatchObject({ version: saved.version, revision: EVERY + 11 });
    }
  });
});
