import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from '../../src/sqliteDriver.js';
import { afterEach, describe, expect, it } from 'vitest';
import { LogFollower } from '../../src/application/logFollower.js';
import { AuditLog } from '../../src/audit/auditLog.js';
import { CheckpointSigner } from '../../src/audit/checkpointSigner.js';
import { auditableOf, leafHashOf } from '../../src/audit/eventDigest.js';
import { MerkleLog } from '../../src/audit/merkle.js';
import { SqliteAuditStore } from '../../src/audit/sqliteAuditStore.js';
import { SqliteEventStore } from '../../src/eventStore/sqliteEventStore.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** An audit.sqlite as the first audit log wrote it: leaves and checkpoints, no version. */
const firstSchemaFile = (file: string, leaves: { position: number; leafHash: Buffer }[], root: Buffer) => {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec(`
    CREATE TABLE IF NOT EXISTS leaves (leaf_index INTEGER PRIMARY KEY, position INTEGER NOT NULL, leaf_hash BLOB NOT NULL);
    CREATE TABLE IF NOT EXISTS checkpoints (
      tree_size INTEGER PRIMARY KEY, position INTEGER NOT NULL, root_hash TEXT NOT NULL,
      text TEXT NOT NULL, signature TEXT NOT NULL, created_at TEXT NOT NULL
    );`);
  const insert = db.prepare('INSERT INTO leaves (leaf_index, position, leaf_hash) VALUES (?, ?, ?)');
  leaves.forEach((leaf, index) => insert.run(index, leaf.position, leaf.leafHash));
  db.prepare('INSERT INTO checkpoints VALUES (?, ?, ?, ?, ?, ?)').run(
    leaves.length,
    leaves.at(-1)?.position ?? 0,
    root.toString('hex'),
    'signed text',
    'signature',
    '2017-07-13T00:00:00.000Z',
  );
  db.close();
};

const appendEvents = async (events: SqliteEventStore, stream: string, count: number) => {
  for (let i = 0; i < count; i += 100) {
    const batch = Array.from({ length: Math.min(100, count - i) }, (_, j) => ({
      eventId: `${stream}-${i + j}`,
      type: 'AttendanceRecorded',
      data: { participantId: `member-${(i + j) % 7}`, status: 'present' },
      metadata: { actor: 'secretariat#test' },
    }));
    await events.appendToStream(stream, batch);
  }
};

describe('an audit store written by the first audit log', () => {
  it('is migrated keeping its leaves and checkpoints, and the tree carries on from them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-audit-migration-'));
    dirs.push(dir);
    const events = new SqliteEventStore(join(dir, 'ledger.sqlite'), { synchronous: 'NORMAL' });
    await appendEvents(events, 'meeting-a', 700);
    const reference = new MerkleLog();
    const leaves = (await events.readAllStored({})).map((event) => {
      const leafHash = leafHashOf(auditableOf(event));
      reference.append(leafHash);
      return { position: event.position, leafHash };
    });
    firstSchemaFile(join(dir, 'audit.sqlite'), leaves, reference.root());

    const store = new SqliteAuditStore(join(dir, 'audit.sqlite'));
    expect(store.treeState()).toMatchObject({ size: 700, position: leaves.at(-1)!.position });
    expect(store.latestCheckpoint()).toMatchObject({ treeSize: 700, rootHash: reference.root().toString('hex') });
    expect(store.leafIndexOf(leaves[345]!.position)).toBe(345);
    expect(store.node(9, 0)?.equals(reference.root(512))).toBe(true);

    const signer = new CheckpointSigner('meeting-ledger', generateKeyPairSync('ed25519').privateKey);
    const log = new AuditLog(store, signer, {
      origin: 'meeting-ledger',
      checkpointEveryEvents: 1000,
      checkpointEveryMs: 60_000,
    });
    expect(log.treeSize).toBe(700);
    await appendEvents(events, 'meeting-b', 50);
    const follower = new LogFollower(events, [log]);
    follower.start();
    await follower.caughtUp;
    await follower.stop();
    log.stop();
    for (const event of await events.readAllStored({ after: leaves.at(-1)!.position })) {
      reference.append(leafHashOf(auditableOf(event)));
    }
    expect(store.latestCheckpoint()).toMatchObject({ treeSize: 750, rootHash: reference.root().toString('hex') });
    expect(log.consistency(700, 750).proof).toEqual(reference.consistencyProof(700, 750).map((h) => h.toString('hex')));
    store.close();
    await events.close();
  });

  it('refuses to start from a first-schema file whose leaves have a hole', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-audit-migration-'));
    dirs.push(dir);
    const file = join(dir, 'audit.sqlite');
    firstSchemaFile(
      file,
      [
        { position: 1, leafHash: Buffer.alloc(32, 1) },
        { position: 2, leafHash: Buffer.alloc(32, 2) },
      ],
      Buffer.alloc(32),
    );
    const db = new Database(file);
    db.prepare('DELETE FROM leaves WHERE leaf_index = 0').run();
    db.close();
    expect(() => new SqliteAuditStore(file)).toThrow(/no leaf 0/);
  });
});
