import type { Break } from './verifyLedger.js';

/** Leaves per message from a worker: 4096 x 40 bytes, so the coordinator's buffers stay small. */
export const LEAVES_PER_PIECE = 4_096;

/** Verify the events with a position in (after, upTo]. */
export type ChunkJob = { chunk: number; after: number; upTo: number };

export type FromWorker =
  | { type: 'leaves'; chunk: number; count: number; positions: Float64Array; hashes: Uint8Array }
  | { type: 'done'; chunk: number; problem?: Break }
  | { type: 'failed'; chunk: number; message: string };
