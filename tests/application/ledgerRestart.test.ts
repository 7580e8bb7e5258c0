import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadMeeting } from '../../src/application/ledgerCommands.js';
import { loadConfig } from '../../src/config.js';
import { closeLedger, openLedger } from '../../src/main.js';
import { amendMosul, context, meetingId, recordMosul, schedule, spyOnReads, stream } from './handlerFixtures.js';
import { DEFAULT_FOLD_PAGE } from '../../src/application/foldedStreams.js';

// The ledger as main.ts composes it: stream snapshots in the data directory, saved before it closes.

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const open = (dataDir: string) =>
  openLedger(loadConfig({ LEDGER_DATA_DIR: dataDir, LEDGER_SQLITE_SYNCHRONOUS: 'NORMAL' }));

describe('a ledger restarted on its data directory', () => {
  it('answers a meeting of over 1000 events from its snapshot, reading only the events after it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ledger-restart-'));
    dirs.push(dataDir);
    const first = await open(dataDir);
    await first.commands.execute(schedule, context());
    await first.commands.execute(recordMosul, context());
    for (let n = 1; n <= 1000; n++) await first.commands.execute(amendMosul(n), context());
    const before = await loadMeeting(first.handler, meetingId);
    await closeLedger(first);
    expect(existsSync(join(dataDir, 'stream-snapshots.sqlite'))).toBe(true);

    const second = await open(dataDir);
    const reads = spyOnReads(second.store);
    const after = await loadMeeting(second.handler, meetingId);
    await closeLedger(second);
    expect(after).toEqual(before);
    expect(after.revision).toBe(1001);
    const [check, ...folded] = reads.of(stream);
    const snapshotAt = Number(check?.fromRevision);
    expect(check).toEqual({ fromRevision: snapshotAt, maxCount: 1 });
    expect(snapshotAt).toBeGreaterThanOrEqual(999);
    expect(folded).toEqual([{ fromRevision: snapshotAt + 1, maxCount: DEFAULT_FOLD_PAGE }]);
  });
});
