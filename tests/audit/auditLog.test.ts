import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/audit/auditLog.js';
import { SqliteAuditStore } from '../../src/audit/auditStore.js';
import { CheckpointSigner } from '../../src/audit/checkpointSigner.js';
import { SqliteEventStore } from '../../src/eventStore/sqliteEventStore.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const open = () => {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-audit-log-'));
  dirs.push(dir);
  const events = new SqliteEventStore(join(dir, 'ledger.sqlite'));
  const audit = new SqliteAuditStore(join(dir, 'audit.sqlite'));
  const signer = new CheckpointSigner('meeting-ledger', generateKeyPairSync('ed25519').privateKey);
  const log = new AuditLog(events, audit, signer, {
    origin: 'meeting-ledger',
    checkpointEveryEvents: 1000,
    checkpointEveryMs: 60_000,
  });
  return { events, audit, log };
};

const appendMeetingEvents = (events: SqliteEventStore, count: number) =>
  events.appendToStream(
    'meeting-01BMY0HQ40DEM0000000000004',
    Array.from({ length: count }, (_, i) => ({
      eventId: `00000000-0000-4000-8000-00000000000${i}`,
      type: 'AgendaItemAdded',
      data: { i },
      metadata: {},
    })),
  );

describe('the audit log', () => {
  it('signs a checkpoint of everything appended while it was not running, once it has caught up', async () => {
    const { events, audit, log } = open();
    await appendMeetingEvents(events, 3);
    await log.start();
    await log.caughtUp;
    expect(audit.latestCheckpoint()).toMatchObject({ treeSize: 3 });
    await log.stop();
    await events.close();
    audit.close();
  });

  it('signs nothing when it was never started', async () => {
    const { events, audit, log } = open();
    await appendMeetingEvents(events, 2);
    await log.stop();
    expect(audit.latestCheckpoint()).toBeUndefined();
    await events.close();
    audit.close();
  });
});
