import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogFollower } from '../src/application/logFollower.js';
import { SqliteEventStore } from '../src/eventStore/sqliteEventStore.js';
import { projectionNames } from '../src/projections/catalog.js';
import { ProjectionEngine } from '../src/projections/projectionEngine.js';
import { ProjectionDatabase } from '../src/projections/store/projectionDatabase.js';
import { wholeView } from '../src/projections/wholeViews.js';
import { generateLog } from './generateLog.js';

/**
 * npm run bench -- replay: rebuild all three projections from zero over a generated log of
 * BENCH_EVENTS events (default 1,000,000), against the ceiling of reading and parsing the same
 * events without applying them, measured in the same run. Also: a page of each projection as of the
 * middle of the log.
 */
const TOTAL = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const seconds = (fromNs: bigint) => Number(process.hrtime.bigint() - fromNs) / 1e9;
const mib = (bytes: number) => `${(bytes / 1_048_576).toFixed(0)} MiB`;

const dir = mkdtempSync(join(tmpdir(), 'ledger-bench-replay-'));
const store = new SqliteEventStore(join(dir, 'ledger.sqlite'), { synchronous: 'NORMAL' });
try {
  let started = process.hrtime.bigint();
  const { events: total } = await generateLog(store, TOTAL);
  process.stdout.write(
    `generated ${total} events in ${seconds(started).toFixed(1)} s (${mib(statSync(join(dir, 'ledger.sqlite')).size)} on disk)\n`,
  );

  started = process.hrtime.bigint();
  let parsed = 0;
  for (let after = 0; ;) {
    const page = await store.readAllStored({ after, maxCount: 2_000 });
    for (const event of page) if (JSON.parse(event.data) && JSON.parse(event.metadata)) parsed += 1;
    if (page.length < 2_000) break;
    after = page.at(-1)?.position ?? after;
  }
  const ceilingSeconds = seconds(started);

  const rssBefore = process.memoryUsage().rss;
  const database = new ProjectionDatabase(join(dir, 'projections.sqlite'));
  const engine = new ProjectionEngine(database);
  const follower = new LogFollower(store, [engine]);
  started = process.hrtime.bigint();
  follower.start();
  await follower.caughtUp;
  const rebuildSeconds = seconds(started);
  await follower.stop();
  const peakRss = process.resourceUsage().maxRSS * 1024;

  const middle = Math.floor((await store.headPosition()) / 2);
  const asOf: string[] = [];
  for (const name of projectionNames) {
    started = process.hrtime.bigint();
    const page = wholeView(name, database.db, middle, 100);
    for (let i = 0; i < 100 && !page.next().done; i++);
    asOf.push(`${name} ${(seconds(started) * 1000).toFixed(1)} ms`);
  }
  await database.close();

  const ceilingRate = parsed / ceilingSeconds;
  const rebuildRate = total / rebuildSeconds;
  process.stdout.write(`
meeting-ledger replay bench: ${total} events, three projections (agenda, attendance, timeline)

ceiling (read + parse, nothing applied): ${ceilingRate.toFixed(0)} events/s (${ceilingSeconds.toFixed(1)} s)
rebuild of all three from zero:          ${rebuildRate.toFixed(0)} events/s (${rebuildSeconds.toFixed(1)} s), ratio to ceiling ${(rebuildRate / ceilingRate).toFixed(2)}
peak RSS of the process:                 ${mib(peakRss)} (${mib(rssBefore)} before the rebuild)
first 100 items as of position ${middle} (middle of the log): ${asOf.join(', ')}
`);
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
