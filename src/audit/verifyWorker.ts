// A verification worker: checks chunks of a SQLite log on its own read-only connection and sends
// back, in bounded pieces, each event's position and leaf hash, then where the chunk broke, if it did.
import { parentPort, workerData } from 'node:worker_threads';
import { ChainLinks } from './chainLinks.js';
import { EventCheck, type RecordedLeaf } from './eventCheck.js';
import { RecordedLeafHints } from './recordedLeafHints.js';
import { SqliteLogReader } from './sqliteLogReader.js';
import { LEAVES_PER_PIECE, type ChunkJob, type FromWorker, type WorkerData } from './verifyMessages.js';

const PAGE = 2_048;
const { file, recordsFile, lastLeafIndex } = workerData as WorkerData;
const reader = new SqliteLogReader(file);
const hints = RecordedLeafHints.open(recordsFile, lastLeafIndex);
// One LRU for every chunk this worker checks: an entry from an earlier chunk is used only when it is
// the revision just before and lies before the event (see ChainLinks), so it stays right.
const check = new EventCheck(new ChainLinks(reader.lookup));
const port = parentPort!;

/** Leaves collected for one message: positions and hashes in transferable buffers. */
class Piece {
  readonly positions = new Float64Array(LEAVES_PER_PIECE);
  readonly hashes = new Uint8Array(LEAVES_PER_PIECE * 32);
  readonly recorded = new Float64Array(LEAVES_PER_PIECE);
  count = 0;

  /** A leaf, and the index of the recorded leaf when it is the same (else -1). */
  add(position: number, leafHash: Buffer, hint: RecordedLeaf | undefined): void {
    const same = hint !== undefined && leafHash.compare(hint.hashes, hint.offset, hint.offset + 32) === 0;
    this.positions[this.count] = position;
    this.hashes.set(leafHash, this.count * 32);
    this.recorded[this.count] = same ? hint.index : -1;
    this.count += 1;
  }

  send(chunk: number): void {
    if (this.count === 0) return;
    const message: FromWorker = {
      type: 'leaves',
      chunk,
      count: this.count,
      positions: this.positions,
      hashes: this.hashes,
      recorded: this.recorded,
    };
    port.postMessage(message, [this.positions.buffer, this.hashes.buffer, this.recorded.buffer]);
  }
}

const verifyChunk = async ({ chunk, after, upTo }: ChunkJob): Promise<FromWorker> => {
  let piece = new Piece();
  for (let from = after; from < upTo;) {
    const page = reader.page(from, upTo, PAGE);
    hints?.load(from, page.at(-1)?.position ?? from, PAGE);
    for (const stored of page) {
      const hint = hints?.at(stored.position);
      let verdict = check.check(stored, hint);
      if (verdict instanceof Promise) verdict = await verdict;
      if ('reason' in verdict) {
        piece.send(chunk);
        const { position, streamId, revision } = stored;
        return { type: 'done', chunk, problem: { position, streamId, revision, reason: verdict.reason } };
      }
      piece.add(stored.position, verdict.leafHash, hint);
      if (piece.count === LEAVES_PER_PIECE) {
        piece.send(chunk);
        piece = new Piece();
      }
    }
    if (page.length < PAGE) break;
    from = page.at(-1)?.position ?? upTo;
  }
  piece.send(chunk);
  return { type: 'done', chunk };
};

// Chunks are checked one after the other, in the order given (the coordinator queues the next one
// before this one is done): the reader, the hints and the chain links serve one chunk at a time.
let checked = Promise.resolve();
port.on('message', (job: ChunkJob) => {
  checked = checked.then(() =>
    verifyChunk(job).then(
      (done) => port.postMessage(done),
      (error: unknown) =>
        port.postMessage({ type: 'failed', chunk: job.chunk, message: String(error) } satisfies FromWorker),
    ),
  );
});
