import { randomBytes } from 'node:crypto';
import { closeSync, linkSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';

/** A holder keeps the lock for one read-modify-write of a small file, milliseconds: past this it is presumed dead. */
const STALE_AFTER_MS = 5_000;
const GIVE_UP_AFTER_MS = 10_000;

type Holder = { pid?: number; host?: string };
type Seen = { text: string; holder: Holder; ageMs: number };

const code = (error: unknown) => (error as { code?: string }).code;
const pause = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return code(error) === 'EPERM'; // it exists, as another user's process
  }
};

/** The lock as it is now, or undefined when it is gone. */
const look = (lock: string): Seen | undefined => {
  try {
    const ageMs = Date.now() - statSync(lock).mtimeMs;
    const text = readFileSync(lock, 'utf8');
    let holder: Holder = {};
    try {
      holder = JSON.parse(text) as Holder;
    } catch {
      // empty while its holder writes it, or left by an older version: judged by its age alone
    }
    return { text, holder, ageMs };
  } catch (error) {
    if (code(error) === 'ENOENT') return undefined;
    throw error;
  }
};

const isStale = ({ holder, ageMs }: Seen): boolean =>
  ageMs > STALE_AFTER_MS || (holder.host === hostname() && typeof holder.pid === 'number' && !isRunning(holder.pid));

/**
 * Removes a stale lock, unless another process took it over between the look and now: the lock is
 * renamed aside (only one process can), and put back if it is not the one judged stale.
 */
const breakStale = (lock: string, seen: Seen): void => {
  const aside = `${lock}.${randomBytes(6).toString('hex')}.stale`;
  try {
    renameSync(lock, aside);
  } catch (error) {
    if (code(error) === 'ENOENT') return;
    throw error;
  }
  try {
    if (readFileSync(aside, 'utf8') !== seen.text) linkSync(aside, lock);
  } catch {
    // a third process holds the lock now: it stays theirs
  } finally {
    unlinkSync(aside);
  }
};

const acquire = (lock: string): string => {
  const mine = JSON.stringify({ pid: process.pid, host: hostname(), nonce: randomBytes(8).toString('hex') });
  const deadline = Date.now() + GIVE_UP_AFTER_MS;
  for (;;) {
    try {
      const fd = openSync(lock, 'wx', 0o600);
      try {
        writeSync(fd, mine);
      } finally {
        closeSync(fd);
      }
      return mine;
    } catch (error) {
      if (code(error) !== 'EEXIST') throw error;
    }
    const seen = look(lock);
    if (!seen) continue;
    if (isStale(seen)) breakStale(lock, seen);
    else if (Date.now() > deadline) {
      const who = seen.holder.pid
        ? `process ${seen.holder.pid} on ${seen.holder.host ?? 'an unknown host'}`
        : 'a process';
      throw new Error(`${lock} is held by ${who}; if it is not running, delete the file`);
    } else pause(20);
  }
};

/**
 * Runs `change` holding `lock`, a file created exclusively that names its holder (pid, host). A lock
 * whose holder is no longer running on this host, or older than 5 s, is taken over: a crashed run
 * must not block every later one. A live holder is waited for, up to 10 s.
 */
export const withFileLock = <T>(lock: string, change: () => T): T => {
  const mine = acquire(lock);
  try {
    return change();
  } finally {
    // Unless it was taken over meanwhile (held past the stale bound): then it is another's to remove.
    if (look(lock)?.text === mine) unlinkSync(lock);
  }
};
