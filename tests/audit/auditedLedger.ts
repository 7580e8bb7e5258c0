// A small ledger with real hash chains, indexed by the audit log with frequent checkpoints, and the
// ways an attacker holding the files could rewrite it. For the verification tests.
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from '../../src/sqliteDriver.js';
import { LogFollower } from '../../src/application/logFollower.js';
import { AuditLog } from '../../src/audit/auditLog.js';
import { eventHash } from '../../src/audit/canonical.js';
import { CheckpointSigner, loadOrCreateSigningKey } from '../../src/audit/checkpointSigner.js';
import { SqliteAuditStore } from '../../src/audit/sqliteAuditStore.js';
import { SqliteEventStore } from '../../src/eventStore/sqliteEventStore.js';

export const ORIGIN = 'meeting-ledger';

const payload = (i: number) => ({
  meetingId: `m-${i % 9}`,
  summary: i % 5 === 0 ? `Côte d’Ivoire ${i} \u{1F600} "quoted"` : `item ${i}`,
  n: i % 3 === 0 ? -i / 7 : i,
  tags: i % 4 === 0 ? ['a', { z: 1, a: [i, null, true] }] : [],
  ...(i % 6 === 0 && { 10: 'ten', 9: 'nine' }),
});

/**
 * Appends `count` events over `streams` interleaved streams, each linked to its stream's previous
 * event as the writer links it, then lets the audit log index them (checkpoints every 50 events, and
 * one on stop). The files are closed when it returns.
 */
export const buildAuditedLedger = async (count: number, streams = 7): Promise<string> => {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-verify-'));
  const events = new SqliteEventStore(join(dir, 'ledger.sqlite'), { synchronous: 'NORMAL' });
  const heads = new Map<string, { revision: number; hash: string | null }>();
  for (let i = 0; i < count; i += 1) {
    const streamId = `meeting-${(i * 5 + Math.floor(i / 11)) % streams}`;
    const head = heads.get(streamId) ?? { revision: -1, hash: null };
    const event = {
      eventId: `event-${i}`,
      type: i % 2 === 0 ? 'OutcomeRecorded' : 'AttendanceRecorded',
      data: payload(i),
      // Laid out as the append path writes metadata (see envelopes), but for every tenth event.
      metadata:
        i % 10 === 9
          ? { actor: 'secretariat#test', recordedAt: '2017-07-13T09:00:00.000Z', schemaVersion: 1, prevHash: head.hash }
          : {
              ...{ commandId: `command-${i}`, correlationId: `correlation-${i}`, causationId: `command-${i}` },
              ...{ actor: 'secretariat#test', recordedAt: '2017-07-13T09:00:00.000Z', schemaVersion: 1 },
              prevHash: head.hash,
            },
    };
    await events.appendToStream(streamId, [event]);
    heads.set(streamId, {
      revision: head.revision + 1,
      hash: eventHash({ ...event, streamId, revision: head.revision + 1 }),
    });
  }
  const audit = new SqliteAuditStore(join(dir, 'audit.sqlite'));
  const signer = new CheckpointSigner(ORIGIN, loadOrCreateSigningKey(join(dir, 'signing-key.pem')));
  const log = new AuditLog(audit, signer, { origin: ORIGIN, checkpointEveryEvents: 50, checkpointEveryMs: 60_000 });
  const follower = new LogFollower(events, [log], { pageSize: 37 });
  follower.start();
  await follower.caughtUp;
  await follower.stop();
  log.stop();
  audit.close();
  await events.close();
  return dir;
};

/** A copy of a ledger's files to tamper with. */
export const copyLedger = (dir: string): string => {
  const copy = mkdtempSync(join(tmpdir(), 'ledger-tampered-'));
  cpSync(dir, copy, { recursive: true });
  return copy;
};

/** Runs `sql` on a ledger file the way an attacker would: the guards dropped first. */
export const rewrite = (file: string, run: (db: Database.Database) => void): void => {
  const db = new Database(file);
  try {
    db.exec('DROP TRIGGER IF EXISTS events_are_immutable; DROP TRIGGER IF EXISTS events_are_never_deleted;');
    run(db);
  } finally {
    db.close();
  }
};

/** Swaps the contents of the events at two positions (what a reordering of history looks like). */
export const swapEvents = (db: Database.Database, a: number, b: number): void => {
  type Row = { event_id: string; stream_id: string; revision: number; type: string; data: string; metadata: string };
  const read = db.prepare<[number], Row>(
    'SELECT event_id, stream_id, revision, type, data, metadata FROM events WHERE position = ?',
  );
  const write = db.prepare(
    'UPDATE events SET event_id = ?, stream_id = ?, revision = ?, type = ?, data = ?, metadata = ? WHERE position = ?',
  );
  const [first, second] = [read.get(a)!, read.get(b)!];
  write.run('swap', 'swap', -1, 'swap', '{}', '{}', a);
  write.run(first.event_id, first.stream_id, first.revision, first.type, first.data, first.metadata, b);
  write.run(second.event_id, second.stream_id, second.revision, second.type, second.data, second.metadata, a);
};
