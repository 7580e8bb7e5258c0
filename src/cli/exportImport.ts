import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { createPublicKey } from 'node:crypto';
import { canonicalBytes, eventHash, hashOfCanonical } from '../audit/canonical.js';
import { leafHash } from '../audit/merkle.js';
import { verifyLedger } from '../audit/verifyLedger.js';
import type { Config } from '../config.js';
import { readLog } from '../eventStore/readLog.js';
import { closeLedger, openLedger } from '../main.js';
import { UsageError } from './projectionCommands.js';
import { openEventsReadOnly } from './readOnlyLedger.js';

type Print = (line: string) => void;

/** One event per line: everything needed to append it again, and the hashes to check it by. */
type ExportedEvent = {
  position: number;
  streamId: string;
  revision: number;
  eventId: string;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
  recordedAt: string;
  hash: string;
  leafHash: string;
};

/**
 * `export --format ndjson [--to file]`: the whole log in order, with positions and hashes. It only
 * reads the log, so it runs beside a server holding the data directory (a backup while it serves).
 */
export const exportLog = async (config: Config, to: string | undefined, print: Print): Promise<number> => {
  const { events, close } = await openEventsReadOnly(config);
  const out = to === undefined ? process.stdout : createWriteStream(to, { flags: 'wx' });
  let count = 0;
  try {
    for await (const e of readLog(events)) {
      const bytes = canonicalBytes(e);
      const line: ExportedEvent = {
        position: e.position,
        streamId: e.streamId,
        revision: e.revision,
        eventId: e.eventId,
        type: e.type,
        data: e.data,
        metadata: e.metadata,
        recordedAt: e.recordedAt,
        hash: hashOfCanonical(bytes),
        leafHash: leafHash(bytes).toString('hex'),
      };
      if (!out.write(`${JSON.stringify(line)}\n`)) await once(out, 'drain');
      count += 1;
    }
  } finally {
    if (out !== process.stdout) await new Promise<void>((resolve) => out.end(() => resolve()));
    await close();
  }
  if (to !== undefined) print(`exported ${count} events to ${to}`);
  return 0;
};

/**
 * `import --from file`: appends an export into an EMPTY store, in order, keeping event ids, metadata
 * and recorded times; refuses a line whose hash does not match its content, then verifies the chain.
 */
export const importLog = async (config: Config, from: string, print: Print): Promise<number> => {
  const ledger = await openLedger(config);
  try {
    if ((await ledger.store.headPosition()) !== 0) throw new UsageError('import needs an empty store');
    let count = 0;
    for await (const text of createInterface({ input: createReadStream(from), crlfDelay: Infinity })) {
      if (text.trim() === '') continue;
      const e = JSON.parse(text) as ExportedEvent;
      if (eventHash(e) !== e.hash) {
        throw new UsageError(
          `line ${count + 1} (${e.streamId} revision ${e.revision}) does not hash to the hash it carries`,
        );
      }
      const { eventId, type, data, metadata, recordedAt } = e;
      await ledger.store.appendToStream(e.streamId, [{ eventId, type, data, metadata, recordedAt }], {
        expectedRevision: e.revision === 0 ? 'no_stream' : e.revision - 1,
      });
      count += 1;
    }
    ledger.follower.start();
    await ledger.follower.caughtUp;
    const key = { publicKey: createPublicKey(ledger.audit.publicKeyPem), name: config.audit.origin };
    const report = await verifyLedger(ledger.store, ledger.auditStore, key);
    print(JSON.stringify({ imported: count, ...report }, null, 2));
    return report.ok ? 0 : 1;
  } finally {
    await closeLedger(ledger);
  }
};
