import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { canonicalBytes, hashOfCanonical } from '../audit/canonical.js';
import { leafHash } from '../audit/merkle.js';
import type { Config } from '../config.js';
import { readLog } from '../eventStore/readLog.js';
import type { ExportedEvent } from './importCheck.js';
import { openEventsReadOnly } from './readOnlyLedger.js';

type Print = (line: string) => void;

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
