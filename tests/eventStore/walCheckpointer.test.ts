import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from '../../src/sqliteDriver.js';
import { afterEach, describe, expect, it } from 'vitest';
import { WalCheckpointer } from '../../src/eventStore/walCheckpointer.js';
import { waitUntil } from '../projections/ledgerFiles.js';
import { settlesWithin } from './subscriptionProbe.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const openDatabase = () => {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-wal-'));
  dirs.push(dir);
  const file = join(dir, 'ledger.sqlite');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE rows (id INTEGER PRIMARY KEY, text TEXT NOT NULL)');
  return { db, file };
};

describe('checkpoints from a thread of their own', () => {
  it('copies the log back into the database while the writer never checkpoints, and leaves nothing behind on stop', async () => {
    // Given a database whose log is copied back by the checkpointer
    const { db, file } = openDatabase();
    const checkpoints: { log: number; checkpointed: number }[] = [];
    const checkpointer = new WalCheckpointer(db, file, {
      synchronous: 'FULL',
      everyMs: 10,
      onCheckpoint: (result) => checkpoints.push(result),
    });
    // When the writer commits well past SQLite's 1000-page automatic checkpoint
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    const insert = db.prepare('INSERT INTO rows (text) VALUES (?)');
    for (let batch = 0; batch < 20; batch++) {
      db.transaction(() => {
        for (let i = 0; i < 500; i++) insert.run('x'.repeat(400));
      })();
    }
    // Then the thread copies every page of the log back into the database (a checkpoint that ran while
    // the writer was still writing may have copied all it saw, and not yet the last batches)
    await waitUntil(
      () => checkpoints.some((c) => c.log > 1000 && c.checkpointed === c.log) && statSync(file).size > 4_000_000,
      'a checkpoint of the whole log, every row in the database file',
    );
    // And stopping it, then closing the writer, leaves the database whole and no log behind
    await checkpointer.stop();
    db.close();
    expect(existsSync(`${file}-wal`)).toBe(false);
    const reopened = new Database(file, { readonly: true });
    expect(reopened.prepare('SELECT count(*) AS n FROM rows').get()).toEqual({ n: 10_000 });
    expect(reopened.pragma('integrity_check', { simple: true })).toBe('ok');
    reopened.close();
  });

  it('holds a writer past its bound until the log is copied back, so the next transaction starts the log over', async () => {
    // Given a checkpointer bounding the log at 200 frames, and a writer that wrote far more
    const { db, file } = openDatabase();
    const checkpoints: { log: number; checkpointed: number }[] = [];
    const checkpointer = new WalCheckpointer(db, file, {
      synchronous: 'NORMAL',
      everyMs: 20,
      maxFrames: 200,
      onCheckpoint: (result) => checkpoints.push(result),
    });
    const insert = db.prepare('INSERT INTO rows (text) VALUES (?)');
    const write = () =>
      db.transaction(() => {
        for (let i = 0; i < 500; i++) insert.run('x'.repeat(400));
      })();
    expect(checkpointer.settle()).toBeUndefined(); // nothing to wait for yet
    for (let batch = 0; batch < 10; batch++) write();
    await waitUntil(() => checkpointer.overBound(), 'a checkpoint to report the log past its bound');
    // When the writer waits for it before its next transaction
    await settlesWithin(checkpointer.settle() ?? Promise.reject(new Error('no wait')), 5_000, 'the checkpoint');
    const seen = checkpoints.length;
    write();
    // Then that transaction wrote the log from its start: the log holds its frames only. (A timer
    // checkpoint that ran between the wait and the write still reports the old log, all copied back:
    // the restart happens at the write.)
    await waitUntil(
      () => checkpoints.slice(seen).some((checkpoint) => checkpoint.log < 200),
      'a checkpoint after the write to find the log started over',
    );
    expect(checkpointer.overBound()).toBe(false);
    await checkpointer.stop();
    db.close();
  });

  it('gives the writer its own checkpoints back when the thread dies, and stops at once after', async () => {
    const { db, file } = openDatabase();
    const checkpointer = new WalCheckpointer(db, file, { synchronous: 'NORMAL', everyMs: 60_000 });
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    await (checkpointer as unknown as { worker: { terminate: () => Promise<number> } }).worker.terminate();
    await waitUntil(() => db.pragma('wal_autocheckpoint', { simple: true }) === 1000, 'the writer to checkpoint again');
    await settlesWithin(checkpointer.stop(), 1_000, 'stop after the thread died');
    db.close();
  });
});
