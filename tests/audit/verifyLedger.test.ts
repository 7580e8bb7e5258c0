import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointSigner, type CheckpointBody } from '../../src/audit/checkpointSigner.js';
import { auditableOf, leafHashOf } from '../../src/audit/eventDigest.js';
import { openAuditRecords } from '../../src/audit/sqliteAuditRecords.js';
import { verifyLedger, type VerifyOptions } from '../../src/audit/verifyLedger.js';
import type { StoredEvent } from '../../src/eventStore/eventStore.js';
import { SqliteEventStore } from '../../src/eventStore/sqliteEventStore.js';
import { buildAuditedLedger, copyLedger, ORIGIN, rewrite, swapEvents } from './auditedLedger.js';
import { referenceVerify } from './verifyReference.js';

const EVENTS = 300;
const CHUNK = 64; // chunk boundaries of the parallel verification: breaks are placed around them
let base: string;
const copies: string[] = [];

beforeAll(async () => {
  base = await buildAuditedLedger(EVENTS);
}, 60_000);
afterAll(() => {
  for (const dir of [base, ...copies]) rmSync(dir, { recursive: true, force: true });
});

const keyOf = (dir: string) => {
  const privateKey = createPrivateKey(readFileSync(join(dir, 'signing-key.pem')));
  return { privateKey, publicKey: createPublicKey(privateKey), name: ORIGIN };
};

/** The new verification and the first one, on the same files. */
const both = async (dir: string, options: VerifyOptions, held: CheckpointBody[] = []) => {
  const events = new SqliteEventStore(join(dir, 'ledger.sqlite'), { readOnly: true });
  const records = openAuditRecords(join(dir, 'audit.sqlite'));
  try {
    const key = keyOf(dir);
    const report = await verifyLedger(events, records, key, held, options);
    const reference = await referenceVerify(events, join(dir, 'audit.sqlite'), key, held);
    return { report, reference };
  } finally {
    records.close();
    await events.close();
  }
};

type Tampering = {
  name: string;
  /** Where the first break must be found (0 for "missing at the end"). */
  at: number;
  tamper: (dir: string) => void;
  held?: (dir: string) => CheckpointBody[];
};

const onEvents = (run: (db: Database.Database) => void) => (dir: string) => rewrite(join(dir, 'ledger.sqlite'), run);
const onAudit = (run: (db: Database.Database) => void) => (dir: string) => rewrite(join(dir, 'audit.sqlite'), run);
const leafIndexAt = (position: number) => position - 1; // positions start at 1 and have no gaps here

/** The stored event at `position`, read straight from the file. */
const storedAt = (db: Database.Database, position: number): StoredEvent =>
  db
    .prepare<[number], StoredEvent>(
      `SELECT position, event_id AS eventId, stream_id AS streamId, revision, type, data, metadata,
              recorded_at AS recordedAt FROM events WHERE position = ?`,
    )
    .get(position)!;

/** The next event of the same stream after `position`. */
const nextInStream = (db: Database.Database, position: number): number =>
  db
    .prepare<[number, number], { position: number }>(
      `SELECT position FROM events WHERE stream_id = (SELECT stream_id FROM events WHERE position = ?)
       AND position > ? ORDER BY position LIMIT 1`,
    )
    .get(position, position)!.position;

/** Every payload (or metadata) rewritten with its keys in reverse order: the same JSON values, laid out otherwise. */
const storeEveryReordered = (db: Database.Database, column: 'data' | 'metadata' = 'data'): number => {
  const reversed = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(reversed);
    if (typeof value !== 'object' || value === null) return value;
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([k, v]) => [k, reversed(v)]),
    );
  };
  const rows = db
    .prepare<[], { position: number; text: string }>(`SELECT position, ${column} AS text FROM events`)
    .all();
  const update = db.prepare(`UPDATE events SET ${column} = ? WHERE position = ?`);
  let changed = 0;
  for (const { position, text } of rows) {
    const rewritten = JSON.stringify(reversed(JSON.parse(text)));
    if (rewritten !== text) changed += 1;
    update.run(rewritten, position);
  }
  return changed;
};

const tamperings: Tampering[] = [
  ...[CHUNK, CHUNK + 1, 200].map((p) => ({
    name: `an edited payload at ${p}`,
    at: p,
    tamper: onEvents((db) => db.prepare(`UPDATE events SET data = '{"forged":true}' WHERE position = ?`).run(p)),
  })),
  ...[CHUNK, 2 * CHUNK + 1].map((p) => ({
    name: `edited metadata at ${p}`,
    at: p,
    tamper: onEvents((db) =>
      db
        .prepare(`UPDATE events SET metadata = json_set(metadata, '$.actor', 'auditor#evil') WHERE position = ?`)
        .run(p),
    ),
  })),
  ...[CHUNK + 1, 2 * CHUNK].map((p) => ({
    // Verification reads metadata laid out as the append path writes it as text: one that is not
    // (here a key written twice, which JSON.parse reads as its last value) is parsed.
    name: `a prevHash forged by a repeated key in the metadata at ${p}`,
    at: p,
    tamper: onEvents((db) =>
      db
        .prepare(
          `UPDATE events SET metadata = substr(metadata, 1, length(metadata) - 1) || ',"prevHash":"${'0'.repeat(64)}"}'
           WHERE position = ?`,
        )
        .run(p),
    ),
  })),
  ...[CHUNK, CHUNK + 1, 150].map((p) => ({
    name: `an event deleted in the middle at ${p}`,
    at: p + 1,
    tamper: onEvents((db) => db.prepare('DELETE FROM events WHERE position = ?').run(p)),
  })),
  {
    name: 'the last event deleted',
    at: 0,
    tamper: onEvents((db) => db.prepare('DELETE FROM events WHERE position = ?').run(EVENTS)),
  },
  {
    name: 'the last five events deleted',
    at: 0,
    tamper: onEvents((db) => db.prepare('DELETE FROM events WHERE position > ?').run(EVENTS - 5)),
  },
  ...[CHUNK, 100].map((p) => ({
    name: `two neighbours swapped at ${p}`,
    at: p,
    tamper: onEvents((db) => swapEvents(db, p, p + 1)),
  })),
  {
    name: 'two events of one stream swapped across a chunk boundary',
    at: CHUNK - 3,
    tamper: onEvents((db) => swapEvents(db, CHUNK - 3, nextInStream(db, CHUNK - 3))),
  },
  ...[CHUNK, CHUNK + 1].map((p) => ({
    name: `an edited recorded leaf at ${p}`,
    at: p,
    tamper: onAudit((db) =>
      db.prepare('UPDATE leaves SET leaf_hash = zeroblob(32) WHERE leaf_index = ?').run(leafIndexAt(p)),
    ),
  })),
  {
    // Each row's position is its leaf index shifted by one amount, but for these two.
    name: 'the positions of two recorded leaves swapped',
    at: -1,
    tamper: onAudit((db) => {
      const [a, b] = [leafIndexAt(CHUNK + 3), leafIndexAt(CHUNK + 5)];
      db.prepare('UPDATE leaves SET position = -position WHERE leaf_index IN (?, ?)').run(a, b);
      db.prepare('UPDATE leaves SET position = ? WHERE leaf_index = ?').run(b + 1, a);
      db.prepare('UPDATE leaves SET position = ? WHERE leaf_index = ?').run(a + 1, b);
    }),
  },
  {
    name: 'a recorded leaf deleted in the middle',
    at: -1, // the reference says where
    tamper: onAudit((db) => db.prepare('DELETE FROM leaves WHERE leaf_index = ?').run(leafIndexAt(CHUNK + 2))),
  },
  {
    name: 'an event edited with its recorded leaf forged to match',
    at: -1, // found where its stream links to it, or at the next checkpoint: the reference says where
    tamper: (dir) => {
      let forged: Buffer = Buffer.alloc(0);
      onEvents((db) => {
        db.prepare(`UPDATE events SET data = '{"forged":true}' WHERE position = ?`).run(CHUNK);
        forged = leafHashOf(auditableOf(storedAt(db, CHUNK)));
      })(dir);
      onAudit((db) =>
        db.prepare('UPDATE leaves SET leaf_hash = ? WHERE leaf_index = ?').run(forged, leafIndexAt(CHUNK)),
      )(dir);
    },
  },
  {
    name: 'an edited checkpoint root',
    at: -1, // at the size of the first checkpoint: the reference says where
    tamper: onAudit((db) =>
      db.exec(
        `UPDATE checkpoints SET root_hash = '${'00'.repeat(32)}' WHERE tree_size = (SELECT min(tree_size) FROM checkpoints)`,
      ),
    ),
  },
  {
    name: 'a checkpoint whose signed text was altered',
    at: -1,
    tamper: onAudit((db) =>
      db.exec(
        `UPDATE checkpoints SET text = replace(text, 'meeting-ledger', 'meeting-ledgeR') WHERE tree_size = (SELECT max(tree_size) FROM checkpoints)`,
      ),
    ),
  },
  {
    name: 'a held checkpoint of another history',
    at: CHUNK,
    tamper: () => undefined,
    held: (dir) => {
      const signer = new CheckpointSigner(ORIGIN, keyOf(dir).privateKey);
      return [signer.sign({ origin: ORIGIN, treeSize: CHUNK, rootHash: Buffer.alloc(32, 7) })];
    },
  },
];

// Every tampering on this thread and in workers whose chunk boundaries fall on the tampered
// positions; a few in many small chunks, so that chunks finish out of order and wait their turn.
const SMALL_CHUNKS = new Set([
  'a recorded leaf deleted in the middle',
  'an event deleted in the middle at 65',
  'two events of one stream swapped across a chunk boundary',
  'an edited recorded leaf at 64',
  'the last five events deleted',
  'an edited checkpoint root',
]);
const modes: [string, VerifyOptions, Tampering[]][] = [
  ['on this thread', { workers: 1 }, tamperings],
  [
    `in two workers, chunks of ${CHUNK} positions`,
    { workers: 2, chunkPositions: CHUNK, minPositionsForWorkers: 0 },
    tamperings,
  ],
  [
    'in three workers, chunks of 10 positions',
    { workers: 3, chunkPositions: 10, minPositionsForWorkers: 0 },
    tamperings.filter((t) => SMALL_CHUNKS.has(t.name)),
  ],
];

describe.each(modes)('verification %s', (_mode, options, cases) => {
  it('finds the untampered ledger whole, with the report of the first verification', async () => {
    const { report, reference } = await both(base, options);
    expect(report).toEqual(reference);
    expect(report).toMatchObject({ ok: true, eventsChecked: EVENTS, treeSize: EVENTS });
    expect(report.checkpointsChecked).toBeGreaterThanOrEqual(5);
  });

  it.each(cases)('finds $name exactly where the first verification did', async ({ at, tamper, held }) => {
    const dir = copyLedger(base);
    copies.push(dir);
    tamper(dir);
    const { report, reference } = await both(dir, options, held?.(dir) ?? []);
    expect(reference.ok).toBe(false);
    if (at >= 0) expect(reference.firstBreak?.position).toBe(at);
    expect(report).toEqual(reference);
  });

  // Where the first verification threw, on this event's payload or metadata.
  it.each([
    ['payload', `data = 'not json'`],
    ['metadata, followed by text', `metadata = metadata || 'x'`],
    ['metadata, preceded by text', `metadata = 'x' || metadata`],
  ])('names an event whose stored %s is not JSON as the break', async (_what, change) => {
    const dir = copyLedger(base);
    copies.push(dir);
    onEvents((db) => db.prepare(`UPDATE events SET ${change} WHERE position = ?`).run(CHUNK + 1))(dir);
    const events = new SqliteEventStore(join(dir, 'ledger.sqlite'), { readOnly: true });
    const records = openAuditRecords(join(dir, 'audit.sqlite'));
    const report = await verifyLedger(events, records, keyOf(dir), [], options);
    records.close();
    await events.close();
    expect(report.firstBreak).toMatchObject({ position: CHUNK + 1, reason: expect.stringMatching(/not JSON/) });
    expect(report.eventsChecked).toBe(CHUNK);
  });

  it('finds a ledger whose audit records stop short of the log whole: the last events not indexed yet', async () => {
    const dir = copyLedger(base);
    copies.push(dir);
    onAudit((db) => db.prepare('DELETE FROM leaves WHERE leaf_index >= ?').run(EVENTS - 30))(dir);
    const { report, reference } = await both(dir, options);
    expect(reference).toMatchObject({ ok: true, eventsChecked: EVENTS });
    expect(report).toEqual(reference);
  });

  // Payloads are stored as their canonical text, which verification hashes as it is when that gives
  // the recorded leaf; a ledger written before then holds them as JSON.stringify wrote them.
  it('finds a ledger whose payloads are not stored as canonical text whole, as the first verification does', async () => {
    const dir = copyLedger(base);
    copies.push(dir);
    let changed = 0;
    onEvents((db) => (changed = storeEveryReordered(db)))(dir);
    expect(changed).toBeGreaterThan(EVENTS / 2);
    const { report, reference } = await both(dir, options);
    expect(reference).toMatchObject({ ok: true, eventsChecked: EVENTS });
    expect(report).toEqual(reference);
  });

  it.each([
    ['with its keys in another order', (db: Database.Database) => storeEveryReordered(db, 'metadata')],
    [
      'with an escape that reads as the same character',
      (db: Database.Database) =>
        db.prepare(String.raw`UPDATE events SET metadata = replace(metadata, '#', '\u0023')`).run().changes,
    ],
  ])('finds a ledger whose metadata is written %s whole, as the first verification does', async (_how, rewrite) => {
    const dir = copyLedger(base);
    copies.push(dir);
    let changed = 0;
    onEvents((db) => (changed = rewrite(db)))(dir);
    expect(changed).toBeGreaterThan(EVENTS / 2);
    const { report, reference } = await both(dir, options);
    expect(reference).toMatchObject({ ok: true, eventsChecked: EVENTS });
    expect(report).toEqual(reference);
  });

  it('finds an edited payload among payloads not stored as canonical text', async () => {
    const dir = copyLedger(base);
    copies.push(dir);
    onEvents((db) => {
      storeEveryReordered(db);
      db.prepare(`UPDATE events SET data = json_set(data, '$.forged', 1) WHERE position = ?`).run(CHUNK + 1);
    })(dir);
    const { report, reference } = await both(dir, options);
    expect(reference.firstBreak?.position).toBe(CHUNK + 1);
    expect(report).toEqual(reference);
  });
});
