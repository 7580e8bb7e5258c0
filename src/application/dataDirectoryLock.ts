import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import Database from '../sqliteDriver.js';

/** Who holds a data directory: written beside the lock by the process that took it. */
export type LockHolder = { pid: number; host: string; startedAt: string; command: string };

/** Another process writes this data directory; this one must not. */
export class DataDirectoryLocked extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder | undefined,
  ) {
    const who = holder
      ? `pid ${holder.pid} on ${holder.host}, started ${holder.startedAt} (${holder.command})`
      : 'another process, which did not say who it is';
    super(
      `The data directory ${dataDir} is in use by ${who}; stop it first (audit verify, replay and export only read, and run beside it)`,
    );
  }
}

export type DataDirectoryLock = { readonly holder: LockHolder; release(): void };

const LOCK_FILE = 'ledger.lock';
const HOLDER_FILE = 'ledger.lock.holder';

/** What this process was started as, for the holder line: `ledger.ts serve`, `main.js`. */
const thisCommand = (): string => [basename(process.argv[1] ?? 'node'), ...process.argv.slice(2)].join(' ');

/**
 * Takes the data directory for this process alone: one writer of its event store (SQLite), audit
 * log and projections. The lock is SQLite's own exclusive lock on `ledger.lock`, held by an open
 * connection in exclusive locking mode: the kernel releases it when the process ends, however it ends
 * (a SIGKILL, a crash, a container stopped), so a lock is never stale and needs no liveness check (a
 * pid-file check cannot tell, in a container, a dead pid 1 from a live one). The holder is written
 * beside it, since a locked SQLite file cannot be read by the process that is refused.
 */
export const lockDataDirectory = (dataDir: string, command: string = thisCommand()): DataDirectoryLock => {
  const db = new Database(join(dataDir, LOCK_FILE));
  try {
    db.pragma('busy_timeout = 0'); // refused at once: waiting for a server to stop is not what the caller wants
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = OFF');
    // The first write takes the exclusive lock; in exclusive locking mode it is kept until close.
    db.exec('CREATE TABLE IF NOT EXISTS held (id INTEGER PRIMARY KEY, at TEXT NOT NULL)');
    db.prepare('INSERT OR REPLACE INTO held (id, at) VALUES (1, ?)').run(new Date().toISOString());
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code?.startsWith('SQLITE_BUSY')) {
      throw new DataDirectoryLocked(dataDir, readHolder(dataDir));
    }
    throw error;
  }
  const holder: LockHolder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), command };
  writeHolder(dataDir, holder);
  let released = false;
  return {
    holder,
    release: () => {
      if (released) return;
      released = true;
      // Removed while still held: once released, the next holder's file must not be removed by this one.
      rmSync(join(dataDir, HOLDER_FILE), { force: true });
      db.close();
    },
  };
};

/** Written whole or not at all (a reader never sees half a holder). */
const writeHolder = (dataDir: string, holder: LockHolder): void => {
  const file = join(dataDir, HOLDER_FILE);
  const scratch = `${file}.${process.pid}`;
  writeFileSync(scratch, `${JSON.stringify(holder)}\n`, { mode: 0o600 });
  renameSync(scratch, file);
};

const readHolder = (dataDir: string): LockHolder | undefined => {
  try {
    return JSON.parse(readFileSync(join(dataDir, HOLDER_FILE), 'utf8')) as LockHolder;
  } catch {
    return undefined; // taken a moment ago, not yet written: the message says it does not know who
  }
};
