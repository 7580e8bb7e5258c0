import type { Break } from './verifyLedger.js';

/** Leaves per message from a worker: 4096 x 48 bytes, so the coordinator's buffers stay small. */
export const LEAVES_PER_PIECE = 4_096;

/** Verify the events with a position in (after, upTo]. */
export type ChunkJob = { chunk: number; after: number; upTo: number };

export type FromWorker =
  | {
      type: 'leaves';
      chunk: number;
      count: number;
      positions: Float64Array;
      hashes: Uint8Array;
      /** For each leaf, the index of the recorded leaf with its position and hash, or -1 (see TreeCheck.acceptAll). */
      recorded: Float64Array;
    }
  | { type: 'done'; chunk: number; problem?: Break }
  | { type: 'failed'; chunk: number; message: string };

/** What each worker is started with: the log's file, and the audit records' file with the snapshot's last leaf index. */
export type WorkerData = { file: string; recordsFile?: string | undefined; lastLeafIndex: number };
