import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../moduleWorker.js';
import type { EventStore } from '../eventStore/eventStore.js';
import type { TreeCheck } from './treeCheck.js';
import type { Break } from './verifyLedger.js';
import type { ChunkJob, FromWorker, WorkerData } from './verifyMessages.js';

export type WorkerPlan = {
  /** The SQLite file each worker opens read-only. */
  file: string;
  /** The audit records' SQLite file, if any, which each worker compares leaves with (see RecordedLeafHints). */
  recordsFile?: string | undefined;
  /** The last recorded leaf index this verification compares with (records added since are not). */
  lastLeafIndex: number;
  /** The same store, for naming the event at a break found here. */
  events: EventStore;
  head: number;
  tree: TreeCheck;
  workers: number;
  chunkPositions?: number | undefined;
};

type Chunk = { pieces: Extract<FromWorker, { type: 'leaves' }>[]; end?: Exclude<FromWorker, { type: 'leaves' }> };

const startWorker = (workerData: WorkerData): Worker => startModuleWorker(import.meta.url, 'verifyWorker', workerData);

/** Chunks a worker holds at once: the one it checks and the next, so that it never waits for this thread. */
const QUEUED_PER_WORKER = 2;

/**
 * Verification of a SQLite log split by position into chunks, checked by worker threads (each on
 * its own read-only connection) while this thread only combines: it takes each chunk's leaves in log
 * order into the tree check, so the first break is exactly the one a reading in order would find
 * (a chunk's own findings count only once every chunk before it passed). A worker is handed its next
 * chunk before it finishes the one it checks; at most two chunks per worker are in flight or
 * waiting, which bounds memory.
 */
export const verifyInWorkers = async (plan: WorkerPlan): Promise<Break | undefined> => {
  const workers = Array.from({ length: plan.workers }, () =>
    startWorker({ file: plan.file, recordsFile: plan.recordsFile, lastLeafIndex: plan.lastLeafIndex }),
  );
  try {
    return await new Coordinator(plan, workers).run();
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
};

class Coordinator {
  private readonly chunkPositions: number;
  private readonly chunkCount: number;
  private readonly chunks = new Map<number, Chunk>();
  /** Chunks handed to each worker and not done yet. */
  private readonly queued = new Map<Worker, number>();
  private current = 0;
  private dispatched = 0;
  private settle: (found: Break | undefined | Promise<Break | undefined>) => void = () => undefined;
  private fail: (error: unknown) => void = () => undefined;
  private finished = false;

  constructor(
    private readonly plan: WorkerPlan,
    private readonly workers: Worker[],
  ) {
    this.chunkPositions = plan.chunkPositions ?? 32_768;
    this.chunkCount = Math.ceil(plan.head / this.chunkPositions);
    for (const worker of workers) this.queued.set(worker, 0);
  }

  run(): Promise<Break | undefined> {
    return new Promise((resolve, reject) => {
      this.settle = (found) => {
        this.finished = true;
        resolve(found);
      };
      this.fail = (error) => {
        if (this.finished) return; // a worker ending after the answer (terminate) changes nothing
        this.finished = true;
        reject(error instanceof Error ? error : new Error(String(error)));
      };
      for (const worker of this.workers) {
        worker.on('message', (message: FromWorker) => this.receive(worker, message));
        worker.on('error', (error) => this.fail(error));
        worker.on('exit', (code) => this.fail(new Error(`a verification worker exited (${code}) before the end`)));
      }
      if (this.chunkCount === 0) this.settle(undefined);
      else this.dispatch();
    });
  }

  private dispatch(): void {
    const window = this.current + QUEUED_PER_WORKER * this.workers.length;
    for (let queued = 0; queued < QUEUED_PER_WORKER; queued += 1) {
      for (const worker of this.workers) {
        if (this.dispatched >= this.chunkCount || this.dispatched >= window) return;
        const held = this.queued.get(worker)!;
        if (held > queued) continue; // the least loaded workers first
        const chunk = this.dispatched++;
        const after = chunk * this.chunkPositions;
        const job: ChunkJob = { chunk, after, upTo: Math.min(after + this.chunkPositions, this.plan.head) };
        this.chunks.set(chunk, { pieces: [] });
        this.queued.set(worker, held + 1);
        worker.postMessage(job);
      }
    }
  }

  private receive(worker: Worker, message: FromWorker): void {
    if (this.finished) return;
    const chunk = this.chunks.get(message.chunk);
    if (!chunk) return;
    if (message.type === 'leaves') chunk.pieces.push(message);
    else {
      chunk.end = message;
      this.queued.set(worker, this.queued.get(worker)! - 1);
    }
    try {
      this.dispatch(); // first: a worker that finished a chunk is busy with the next; queue it another
      this.drain();
      this.dispatch(); // the chunks taken in may have moved the window
    } catch (error) {
      this.fail(error);
    }
  }

  /** Takes the current chunk's leaves into the tree, and moves on to the next chunk once it ended. */
  private drain(): void {
    for (let chunk = this.chunks.get(this.current); chunk && !this.finished; chunk = this.chunks.get(this.current)) {
      for (let piece = chunk.pieces.shift(); piece; piece = chunk.pieces.shift()) {
        const broken = this.plan.tree.acceptAll(piece.positions, piece.hashes, piece.count, piece.recorded);
        if (broken) return this.settle(this.named(piece.positions[broken.index]!, broken.reason));
      }
      if (!chunk.end) return;
      if (chunk.end.type === 'failed') return this.fail(new Error(chunk.end.message));
      if (chunk.end.problem) return this.settle(chunk.end.problem);
      this.chunks.delete(this.current);
      this.current += 1;
      if (this.current === this.chunkCount) return this.settle(undefined);
    }
  }

  /** A break found here knows only the event's position: the store names its stream and revision. */
  private async named(position: number, reason: string): Promise<Break> {
    const [event] = await this.plan.events.readAllStored({ after: position - 1, maxCount: 1 });
    return { position, streamId: event?.streamId ?? '', revision: event?.revision ?? -1, reason };
  }
}
