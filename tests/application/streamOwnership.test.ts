import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreUnavailable } from '../../src/eventStore/errors.js';
import type { AppendResult } from '../../src/eventStore/eventStore.js';
import { waitUntil } from '../projections/ledgerFiles.js';
import {
  invite,
  ledgerOn,
  openStore,
  readMeeting,
  recordMosul,
  schedule,
  spyOnReads,
  stream,
  type Ledger,
} from './handlerFixtures.js';

// A folded state has one holder at a time: the command or the read running on its stream.

let opened: ReturnType<typeof openStore>;
let ledger: Ledger;
beforeEach(() => {
  opened = openStore();
  ledger = ledgerOn(opened.store);
});
afterEach(async () => {
  await opened.remove();
});

describe('reads of a folded stream', () => {
  it('waits for the command running on the stream and answers with what it appended', async () => {
    await ledger.run(schedule);
    let releaseAppend!: () => void;
    const appendHeld = new Promise<void>((resolve) => (releaseAppend = resolve));
    const append = opened.store.appendToStream.bind(opened.store);
    let appending = false;
    opened.store.appendToStream = async (...args): Promise<AppendResult> => {
      appending = true;
      await appendHeld;
      return append(...args);
    };
    const command = ledger.run(invite('african-union'));
    await waitUntil(() => appending, 'the command to reach its append');
    let answered = false;
    const read = readMeeting(ledger).then((view) => ((answered = true), view));
    await new Promise((resolve) => setImmediate(resolve));
    expect(answered).toBe(false);
    releaseAppend();
    await command;
    const { meeting, revision } = await read;
    expect(revision).toBe(1);
    expect(meeting.observers.map((o) => o.observerId)).toEqual(['african-union']);
  });
});

describe('a failed append', () => {
  it('drops the stream’s folded state, so the next command folds the stream again from the store', async () => {
    await ledger.run(schedule);
    const append = opened.store.appendToStream.bind(opened.store);
    opened.store.appendToStream = () => Promise.reject(new StoreUnavailable());
    await expect(ledger.run(invite('african-union'))).rejects.toBeInstanceOf(StoreUnavailable);
    opened.store.appendToStream = append;
    const reads = spyOnReads(opened.store);
    await ledger.run(recordMosul);
    expect(reads.of(stream)[0]).toMatchObject({ fromRevision: 0 });
    expect((await readMeeting(ledger)).revision).toBe(1);
  });
});
