import type { Worker } from 'node:worker_threads';
import type { Config } from './config.js';
import type { EventStore } from './eventStore/eventStore.js';
import { startModuleWorker } from './moduleWorker.js';
import type { ProjectionEngine } from './projections/projectionEngine.js';

/** Something the worker's engine or follower would have logged: the server logs it. */
export type WorkerReport = { level: 'warn' | 'error'; msg: string; details: Record<string, unknown> };

export type FromCatchUpWorker =
  | { type: 'progress'; applied: number }
  | ({ type: 'report' } & WorkerReport)
  | { type: 'done'; applied: number }
  | { type: 'stopped' }
  | { type: 'failed'; message: string };

/**
 * Events per page wherever the server follows the log (its follower, the catch-up worker, the audit
 * log's follower meanwhile). A page is what one turn of the event loop applies: ~35 us an event on
 * an idle core, so 100 events hold it ~4 ms, with room for a machine busy with other work (250
 * measured 50-140 ms under a load of 7 on 2 cores) before reaching the 20 ms a request may wait
 * behind it. In the worker, 1000 measured slower (more page copies per savepoint).
 */
export const FOLLOWER_PAGE_EVENTS = 100;

/** Projections further behind than this (in events, counted) are caught up on a worker thread at start. */
export const WORKER_CATCH_UP_EVENTS = 10_000;

/**
 * Whether the projections are far enough behind the log to catch up on a worker thread: any of them
 * rebuilding from zero with events in the log, or the furthest behind more than `threshold` events
 * behind (counted by the store, no further than the threshold).
 */
export const farBehind = async (
  projections: ProjectionEngine,
  store: EventStore,
  threshold = WORKER_CATCH_UP_EVENTS,
): Promise<boolean> => {
  const position = projections.position();
  const behind = await store.countEventsAfter(position, threshold + 1);
  if (behind === 0) return false;
  return projections.unready().some((p) => p.status === 'rebuilding') || behind > threshold;
};

/**
 * The projections caught up to the log's head on a worker thread (src/projectionCatchUpWorker.ts),
 * while the server's event loop only serves requests: reads answer from the positions the engine
 * last committed (temporal rows make them consistent whatever the worker adds), or say
 * `projection-rebuilding`, until the worker is done; then the engine takes up where the worker's
 * checkpoints stand (`reload`) and its own follower applies what was appended meanwhile. The
 * engine must not be fed while the worker runs: one writer at a time.
 */
export class ProjectionCatchUp {
  private readonly worker: Worker;
  private lastApplied: number;
  private stopping: Promise<void> | undefined;
  /** Resolves once the worker reached the head it began with and closed its connections; rejects if it failed. */
  readonly done: Promise<void>;
  /** Resolves once the thread has ended, however: none of its connections is open any more. */
  readonly exited: Promise<void>;

  constructor(
    config: Config,
    from: number,
    { progressEveryMs = 1_000, onReport }: { progressEveryMs?: number; onReport?: (report: WorkerReport) => void } = {},
  ) {
    this.lastApplied = from;
    this.worker = startModuleWorker(import.meta.url, 'projectionCatchUpWorker', { config, progressEveryMs });
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
    this.done = new Promise((resolve, reject) => {
      this.worker.on('message', (message: FromCatchUpWorker) => {
        if (message.type === 'report') onReport?.({ level: message.level, msg: message.msg, details: message.details });
        if (message.type === 'progress' || message.type === 'done') this.lastApplied = message.applied;
        if (message.type === 'done') resolve();
        if (message.type === 'failed') reject(new Error(`the catch-up worker failed: ${message.message}`));
        if (message.type === 'stopped') reject(new Error('the catch-up worker was stopped before the head'));
      });
      this.worker.on('error', reject);
      this.worker.on('exit', (code) => reject(new Error(`the catch-up worker exited (${code}) before the head`)));
    });
    this.done.catch(() => undefined); // whoever waits is told; nobody waiting must not crash the process
  }

  /** The lowest position the worker's projections have applied, as it last said. */
  applied(): number {
    return this.lastApplied;
  }

  /** Asks the worker to commit what it applied and close, then ends the thread. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.worker.postMessage('stop');
      await Promise.race([
        this.done.catch(() => undefined),
        new Promise((resolve) => setTimeout(resolve, 10_000).unref()),
      ]);
      await this.worker.terminate();
    })();
    return this.stopping;
  }
}
