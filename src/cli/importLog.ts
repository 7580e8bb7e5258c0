import { createHash, createPublicKey, type Hash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { eventHash } from '../audit/canonical.js';
import { verifyLedger } from '../audit/verifyLedger.js';
import type { Config } from '../config.js';
import { NO_STREAM, type EventStore, type RecordedEvent, type StreamBatch } from '../eventStore/eventStore.js';
import { readLog } from '../eventStore/readLog.js';
import { closeLedger, openLedger } from '../main.js';
import { ImportCheck, ImportRefused, type ExportedEvent } from './importCheck.js';

type Print = (line: string) => void;
type Line = { line: number; event: ExportedEvent };

/** Most events of one stream appended as one batch. */
const BATCH = 500;

/** The export's events, each checked (see ImportCheck), with its line number; `digest` is fed the bytes read. */
async function* checkedLines(file: string, now: Date, digest: Hash): AsyncGenerator<Line> {
  const check = new ImportCheck(now);
  const input = createReadStream(file);
  input.on('data', (chunk) => digest.update(chunk));
  let line = 0;
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    line += 1;
    if (text.trim() !== '') yield { line, event: check.check(text, line) };
  }
}

/** Reads and checks the whole file, touching nothing; the digest of what it read. */
const checkFile = async (file: string, now: Date): Promise<{ events: number; digest: string }> => {
  const digest = createHash('sha256');
  let events = 0;
  for await (const _ of checkedLines(file, now, digest)) events += 1;
  return { events, digest: digest.digest('hex') };
};

const sameEvent = (held: RecordedEvent, { event }: Line): boolean =>
  held.eventId === event.eventId &&
  held.streamId === event.streamId &&
  held.revision === event.revision &&
  held.recordedAt === event.recordedAt &&
  eventHash(held) === event.hash;

/**
 * How many of the file's events the store already holds: none (an empty store), or the file's first
 * k, left by an import that stopped midway (EventStoreDB only: elsewhere an import is all or nothing).
 * A store holding anything else is refused.
 */
const alreadyHeld = async (store: EventStore, file: string, now: Date): Promise<number> => {
  const lines = checkedLines(file, now, createHash('sha256'));
  let held = 0;
  let line = 0;
  for await (const event of readLog(store)) {
    const next = await lines.next();
    if (!next.done) line = next.value.line;
    if (next.done || !sameEvent(event, next.value)) {
      const where = next.done ? 'the file ends before it' : 'this line holds another event';
      throw new ImportRefused(
        line,
        `the store is not empty and does not hold the start of this file (at position ${event.position} ${where}); import needs an empty store, or one an interrupted import of this same file left`,
      );
    }
    held += 1;
  }
  await lines.return(undefined);
  return held;
};

/**
 * The file's events after the first `skip`, as batches of consecutive events of one stream. Checks
 * every line again, and at the end that the file is the one checked before: a file changed between
 * the passes fails the whole load.
 */
async function* batchesOf(file: string, now: Date, skip: number, expectedDigest: string, at: { line: number }) {
  const digest = createHash('sha256');
  let batch: Line[] = [];
  const toBatch = (lines: Line[]): StreamBatch => {
    const first = lines[0]!.event;
    return {
      streamId: first.streamId,
      expectedRevision: first.revision === 0 ? NO_STREAM : first.revision - 1,
      events: lines.map(({ event: { eventId, type, data, metadata, recordedAt } }) => ({
        ...{ eventId, type, data, metadata, recordedAt },
      })),
    };
  };
  let seen = 0;
  for await (const line of checkedLines(file, now, digest)) {
    seen += 1;
    if (seen <= skip) continue;
    if (batch.length > 0 && (batch[0]!.event.streamId !== line.event.streamId || batch.length >= BATCH)) {
      at.line = batch[0]!.line;
      yield toBatch(batch);
      batch = [];
    }
    batch.push(line);
  }
  if (batch.length > 0) {
    at.line = batch[0]!.line;
    yield toBatch(batch);
  }
  if (digest.digest('hex') !== expectedDigest) throw new ImportRefused(at.line, 'the file changed during the import');
}

/** Removes what opening the ledger created in the data directory: a refused import leaves nothing behind. */
const createdSince = (dataDir: string): (() => void) => {
  const before = existsSync(dataDir) ? new Set(readdirSync(dataDir)) : undefined;
  return () => {
    if (before === undefined) rmSync(dataDir, { recursive: true, force: true });
    else
      for (const entry of readdirSync(dataDir))
        if (!before.has(entry)) rmSync(join(dataDir, entry), { recursive: true });
  };
};

/**
 * `import --from file`: appends an export, all or nothing. The whole file is checked first (see
 * ImportCheck) with nothing opened; then the events are appended in one transaction (SQLite,
 * PostgreSQL). A refusal names the line and the reason, appends nothing and removes what it created.
 * EventStoreDB cannot append across streams atomically: there a failure midway leaves the events
 * before it, and running the same import again resumes after them.
 */
export const importLog = async (config: Config, from: string, print: Print): Promise<number> => {
  const now = new Date();
  const { events, digest } = await checkFile(from, now);
  const cleanUp = createdSince(config.dataDir);
  const ledger = await openLedger(config, { catchUpOnly: true });
  let loaded = false;
  try {
    const held = (await ledger.store.headPosition()) === 0 ? 0 : await alreadyHeld(ledger.store, from, now);
    const at = { line: 0 };
    let appended: number;
    try {
      appended = (await ledger.store.appendBatches(batchesOf(from, now, held, digest, at))).appended;
    } catch (error) {
      if (error instanceof ImportRefused) throw error;
      const resume = ledger.store.atomicBatches
        ? ''
        : '; the events before it were appended: run the same import again to resume';
      throw new ImportRefused(at.line, `the store refused it: ${(error as Error).message}${resume}`);
    }
    loaded = true;
    ledger.follower.start();
    await ledger.follower.caughtUp;
    const key = { publicKey: createPublicKey(ledger.audit.publicKeyPem), name: config.audit.origin };
    const report = await verifyLedger(ledger.store, ledger.auditStore, key);
    print(JSON.stringify({ imported: appended, alreadyHeld: held, events, ...report }, null, 2));
    return report.ok ? 0 : 1;
  } finally {
    await closeLedger(ledger);
    if (!loaded) cleanUp();
  }
};
