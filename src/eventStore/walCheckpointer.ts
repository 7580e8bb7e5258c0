import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { sqliteDriverPath } from '../sqliteDriver.js';

export type CheckpointerOptions = {
  /** The database's durability: FULL for the log, NORMAL for what is derived from it. */
  synchronous: 'FULL' | 'NORMAL';
  /** How often the log is copied back into the database, ms. */
  everyMs?: number;
  /** Past this many frames (about 64 MiB at 4 KiB pages), `settle` holds the writer for a checkpoint. */
  maxFrames?: number;
  /** Called after each checkpoint with the frames in the log and those copied (tests watch it). */
  onCheckpoint?: (result: { log: number; checkpointed: number }) => void;
};

// Plain JavaScript, run by a worker of its own: it needs nothing of the ledger's TypeScript.
const source = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = ' + workerData.synchronous);
const checkpoint = (asked) => {
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ log: result.log, checkpointed: result.checkpointed, asked });
  } catch (error) {
    parentPort.postMessage({ error: String(error) });
  }
};
const timer = setInterval(() => checkpoint(false), workerData.everyMs);
parentPort.on('message', (message) => {
  if (message === 'now') return checkpoint(true);
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;

/**
 * Copies a SQLite database's write-ahead log back into the database from a thread of its own. SQLite
 * otherwise does it inside whichever COMMIT crosses 1000 log pages, with an fsync: the writer (the
 * event loop) would pause for it every so often, and the pause grows with the batch. PASSIVE
 * checkpoints never block the writer or the readers. Should the thread fail, the writer's own
 * automatic checkpoints come back, so the log never grows without end.
 */
export class WalCheckpointer {
  private readonly worker: Worker;
  private stopped = false;
  private exited = false;
  private failures = 0;
  /** Frames in the log at the last checkpoint: how far behind the copy may be. */
  private frames = 0;
  private readonly maxFrames: number;
  private settling: Promise<void> | undefined;
  private settled: (() => void) | undefined;

  constructor(
    private readonly db: Database.Database,
    file: string,
    options: CheckpointerOptions,
  ) {
    this.worker = new Worker(source, {
      eval: true,
      workerData: {
        module: sqliteDriverPath,
        file,
        synchronous: options.synchronous,
        everyMs: options.everyMs ?? 1_000,
      },
    });
    this.worker.unref();
    this.maxFrames = options.maxFrames ?? 16_384;
    db.pragma('wal_autocheckpoint = 0');
    // A log copied back is reused from its start; keep the file itself from staying at its largest.
    db.pragma('journal_size_limit = 67108864');
    this.worker.on('message', (message: { log: number; checkpointed: number; asked: boolean } | { error: string }) => {
      // Only the checkpoint asked for settles a wait: one the timer started may have run before the
      // writer's last transaction (under load its answer arrives after the wait began), leaving
      // frames behind, and then the next transaction would not start the log over.
      if ('error' in message || message.asked) this.settled?.();
      if ('error' in message) {
        // A checkpoint can fail now and then (the writer busy); failing every time, the thread is no use.
        this.failures += 1;
        if (this.failures >= 3) this.fallBack();
        return;
      }
      this.failures = 0;
      this.frames = message.log;
      options.onCheckpoint?.(message);
    });
    this.worker.on('error', () => this.fallBack());
    this.worker.on('exit', () => {
      this.exited = true;
      this.fallBack();
    });
  }

  /**
   * With the log past its bound, a checkpoint now, resolved once it ran: a writer that waits for it
   * between two transactions lets it copy every frame, so the next transaction starts the log over.
   * Otherwise a writer that never pauses (a catch-up of a million events) grows the log without end,
   * and whatever runs after it pays for copying it back. Undefined when there is nothing to wait for.
   */
  settle(): Promise<void> | undefined {
    if (!this.overBound()) return undefined;
    this.settling ??= new Promise<void>((resolve) => {
      this.settled = () => {
        this.settled = undefined;
        this.settling = undefined;
        this.frames = 0; // the next transaction starts the log over; the next checkpoint says how it went
        resolve();
      };
      this.worker.postMessage('now');
    });
    return this.settling;
  }

  overBound(): boolean {
    return this.frames > this.maxFrames && !this.stopped && !this.exited;
  }

  private fallBack(): void {
    this.settled?.();
    if (!this.stopped && this.db.open) this.db.pragma('wal_autocheckpoint = 1000');
  }

  /** Copies what is left and stops the thread (at once if it is gone already). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.ref(); // the process must wait for the last checkpoint, not exit under it
    this.worker.postMessage('stop');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise<void>((resolve) => (timer = setTimeout(resolve, 5_000)))]);
    clearTimeout(timer);
    await this.worker.terminate();
  }
}
