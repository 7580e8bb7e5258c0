import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { LogFollower } from '../../src/application/logFollower.js';
import { AuditLog } from '../../src/audit/auditLog.js';
import type { AuditStore } from '../../src/audit/auditStore.js';
import { CheckpointSigner } from '../../src/audit/checkpointSigner.js';
import { auditableOf, leafHashOf } from '../../src/audit/eventDigest.js';
import { MerkleLog } from '../../src/audit/merkle.js';
import { SqliteAuditStore } from '../../src/audit/sqliteAuditStore.js';
import { SqliteEventStore } from '../../src/eventStore/sqliteEventStore.js';

const dirs: string[] = [];
const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const signer = new CheckpointSigner('meeting-ledger', generateKeyPairSync('ed25519').privateKey);
const options = { origin: 'meeting-ledger', checkpointEveryEvents: 1000, checkpointEveryMs: 60_000 };

const open = () => {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-audit-log-'));
  dirs.push(dir);
  const events = new SqliteEventStore(join(dir, 'ledger.sqlite'), { synchronous: 'NORMAL' });
  const audit = new SqliteAuditStore(join(dir, 'audit.sqlite'));
  const log = new AuditLog(audit, signer, options);
  closers.push(
    () => events.close(),
    () => audit.close(),
  );
  return { dir, events, audit, log };
};

/** Feeds the log to the audit log the way the ledger does, until it holds every event. */
const follow = async (events: SqliteEventStore, log: AuditLog, pageSize = 500) => {
  const follower = new LogFollower(events, [log], { pageSize });
  follower.start();
  await follower.caughtUp;
  await follower.stop();
};

const appendMeetingEvents = (events: SqliteEventStore, count: number, meeting = '01BMY0HQ40DEM0000000000004') =>
  events.appendToStream(
    `meeting-${meeting}`,
    Array.from({ length: count }, (_, i) => ({
      eventId: `00000000-0000-4000-8000-${meeting.slice(-4)}${String(i).padStart(8, '0')}`,
      type: 'AgendaItemAdded',
      data: { i },
      metadata: {},
    })),
  );

/** Counts every read an audit log makes of its store. */
const counting = (store: AuditStore) => {
  const reads = { leaves: 0, calls: [] as string[] };
  const spy = new Proxy(store, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        reads.calls.push(String(name));
        const result = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (name === 'leafHashes') reads.leaves += (result as unknown[]).length;
        if (name === 'recordedPage') reads.leaves += (result as { count: number }).count;
        return result;
      };
    },
  });
  return { spy, reads };
};

describe('the audit log', () => {
  it('signs a checkpoint of everything appended while it was not running, once it has caught up', async () => {
    const { events, audit, log } = open();
    await appendMeetingEvents(events, 3);
    await follow(events, log);
    expect(audit.latestCheckpoint()).toMatchObject({ treeSize: 3 });
    log.stop();
  });

  it('signs nothing when it was never started', async () => {
    const { events, audit, log } = open();
    await appendMeetingEvents(events, 2);
    log.stop();
    expect(audit.latestCheckpoint()).toBeUndefined();
  });

  it('starts from the stored right edge of the tree without reading a single leaf, and carries on', async () => {
    const { dir, events, audit, log } = open();
    await appendMeetingEvents(events, 1_500);
    await follow(events, log, 128);
    log.stop();
    audit.close();

    const reopened = new SqliteAuditStore(join(dir, 'audit.sqlite'));
    closers.push(() => reopened.close());
    const { spy, reads } = counting(reopened);
    const restarted = new AuditLog(spy, signer, options);
    expect(restarted.treeSize).toBe(1_500);
    expect(restarted.position()).toBe(await events.headPosition());
    expect(reads.leaves).toBe(0);
    expect(reads.calls.sort()).toEqual(['latestCheckpoint', 'treeState']);

    await appendMeetingEvents(events, 300, '01BMY0HQ40DEM0000000000005');
    await follow(events, restarted, 64);
    const all = await events.readAllStored({});
    const reference = new MerkleLog();
    for (const event of all) reference.append(leafHashOf(auditableOf(event)));
    expect(restarted.treeSize).toBe(1_800);
    expect(restarted.checkpoint().rootHash).toBe(reference.root().toString('hex'));
    expect(restarted.consistency(1_500, 1_800).proof).toEqual(
      reference.consistencyProof(1_500, 1_800).map((h) => h.toString('hex')),
    );
    const proof = restarted.inclusion(all[1_234]!.position, 1_800);
    expect(proof.auditPath).toEqual(reference.inclusionProof(1_234, 1_800).map((h) => h.toString('hex')));
    expect(reads.leaves).toBeLessThanOrEqual(3 * 256);
  });

  it('commits a page all or nothing: a page that could not commit is applied whole when fed again', async () => {
    const { events, audit } = open();
    await appendMeetingEvents(events, 10);
    let failing = true;
    const flaky = new Proxy(audit, {
      get(target, name, receiver) {
        const value = Reflect.get(target, name, receiver) as unknown;
        if (name !== 'commit' || typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (failing) throw new Error('disk full');
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const log = new AuditLog(flaky, signer, options);
    const page = await events.readAllStored({});
    expect(() => log.apply(page)).toThrow('disk full');
    expect([log.treeSize, log.position(), audit.treeState().size, audit.lastLeafIndex()]).toEqual([0, 0, 0, -1]);
    failing = false;
    log.apply(page);
    log.apply(page); // fed again after a retry: nothing twice
    expect([log.treeSize, log.position(), audit.treeState().size]).toEqual([10, page.at(-1)!.position, 10]);
  });

  it('takes the stored tree when another process indexed meanwhile, instead of writing over it', async () => {
    const { dir, events, log } = open();
    await appendMeetingEvents(events, 5);
    const other = new SqliteAuditStore(join(dir, 'audit.sqlite'));
    closers.push(() => other.close());
    const elsewhere = new AuditLog(other, signer, options);
    elsewhere.apply(await events.readAllStored({ maxCount: 3 }));
    const page = await events.readAllStored({});
    expect(() => log.apply(page)).toThrow(/expected 0/);
    expect(log.treeSize).toBe(3);
    log.apply(page);
    expect(log.treeSize).toBe(5);
  });
});
