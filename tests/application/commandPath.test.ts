import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventHash } from '../../src/audit/canonical.js';
import { PreconditionFailed } from '../../src/application/errors.js';
import {
  amendMosul,
  context,
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

// The handler wrote the events it appended: it moves its fold on by them instead of reading them back.

let opened: ReturnType<typeof openStore>;
let ledger: Ledger;
beforeEach(() => {
  opened = openStore();
  ledger = ledgerOn(opened.store);
});
afterEach(async () => {
  await opened.remove();
});

describe('a command on a stream this process has folded', () => {
  it('reads nothing back: the previous command’s events are already in the fold', async () => {
    await ledger.run(schedule);
    await ledger.run(recordMosul);
    const reads = spyOnReads(opened.store);
    await ledger.run(amendMosul(1));
    await ledger.run(invite('african-union'));
    expect(reads.calls).toEqual([]);
    const { meeting, revision } = await readMeeting(ledger);
    expect(revision).toBe(3);
    expect(meeting.outcomes.map((o) => o.summary)).toEqual(['Mosul, reading 1']);
  });

  it('links each event to the hash of the one before, as if it had been read back', async () => {
    await ledger.run(schedule);
    for (let n = 1; n <= 3; n++) await ledger.run(n === 1 ? recordMosul : amendMosul(n));
    const events = await opened.store.readStream(stream);
    expect(events.map((e) => e.metadata.prevHash)).toEqual([null, ...events.slice(0, -1).map((e) => eventHash(e))]);
  });

  it('reads only what another writer appended when a read catches up', async () => {
    await ledger.run(schedule);
    await ledger.run(recordMosul);
    await ledgerOn(opened.store).run(amendMosul(1));
    const reads = spyOnReads(opened.store);
    expect((await readMeeting(ledger)).revision).toBe(2);
    expect(reads.of(stream)).toEqual([expect.objectContaining({ fromRevision: 2 })]);
  });

  it('catches up before answering 412 when If-Match names a revision another writer reached', async () => {
    await ledger.run(schedule);
    await ledgerOn(opened.store).run(recordMosul);
    await ledger.commands.execute(amendMosul(1), context({ expectedRevision: 1 }));
    expect((await readMeeting(ledger)).meeting.outcomes.map((o) => o.summary)).toEqual(['Mosul, reading 1']);
    await expect(ledger.commands.execute(amendMosul(2), context({ expectedRevision: 1 }))).rejects.toMatchObject({
      extensions: { currentRevision: 2 },
    });
    await expect(ledger.commands.execute(amendMosul(2), context({ expectedRevision: 9 }))).rejects.toBeInstanceOf(
      PreconditionFailed,
    );
  });
});

describe('a command that loses a race to another writer', () => {
  it('drops its fold on the conflict and decides again on the stream folded afresh', async () => {
    await ledger.run(schedule);
    await ledger.run(recordMosul);
    await ledgerOn(opened.store).run(amendMosul(1));
    const reads = spyOnReads(opened.store);
    await ledger.run(amendMosul(2));
    expect(reads.of(stream)).toEqual([expect.objectContaining({ fromRevision: 0 })]);
    const events = await opened.store.readStream(stream);
    expect(events.map((e) => e.type)).toEqual([
      'MeetingScheduled',
      'OutcomeRecorded',
      'OutcomeAmended',
      'OutcomeAmended',
    ]);
    expect(events[3]?.data).toMatchObject({ previous: { summary: 'Mosul, reading 1' } });
  });
});

describe('a command that decide refuses', () => {
  it('leaves the fold as it was: the next command neither reads nor sees anything of it', async () => {
    await ledger.run(schedule);
    await expect(ledger.run(amendMosul(1))).rejects.toMatchObject({ code: 'outcome-not-found' });
    const reads = spyOnReads(opened.store);
    await ledger.run(recordMosul);
    expect(reads.calls).toEqual([]);
    expect((await readMeeting(ledger)).meeting.outcomes.map((o) => o.summary)).toEqual(['Mosul on the verge']);
  });
});
