import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLog } from '../src/eventStore/readLog.js';
import { SqliteEventStore } from '../src/eventStore/sqliteEventStore.js';
import { allProjections } from '../src/projections/catalog.js';
import { toProjectedEvent } from '../src/projections/projectedEvent.js';
import { ProjectionEngine } from '../src/projections/projectionEngine.js';
import { replay } from '../src/projections/replay.js';
import { SqliteProjectionStore } from '../src/projections/sqliteProjectionStore.js';
import { generateLog } from './generateLog.js';

/**
 * npm run bench -- replay: rebuild all three projections from zero over a generated log of
 * BENCH_EVENTS events (default 1,000,000), against the ceiling of reading and parsing the same
 * events without applying them, measured in the same run. Also: an asOf query in the middle.
 */
const TOTAL = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const seconds = (fromNs: bigint) => Number(process.hrtime.bigint() - fromNs) / 1e9;
const mib = (bytes: number) => `${(bytes / 1_048_576).toFixed(0)} MiB`;

const dir = mkdtempSync(join(tmpdir(), 'ledger-bench-replay-'));
const store = new SqliteEventStore(join(dir, 'ledger.sqlite'), { synchronous: 'NORMAL' });
try {
  let started = process.hrtime.bigint();
  const { events: total } = await generateLog(store, TOTAL);
  const head = await store.headPosition();
  process.stdout.write(
    `generated ${total} events in ${seconds(started).toFixed(1)} s (${mib(statSync(join(dir, 'ledger.sqlite')).size)} on disk)\n`,
  );

  started = process.hrtime.bigint();
  let parsed = 0;
  for await (const event of readLog(store)) if (toProjectedEvent(event).position > 0) parsed += 1;
  const ceilingSeconds = seconds(started);

  const rssBefore = process.memoryUsage().rss;
  const engine = new ProjectionEngine(store, new SqliteProjectionStore(join(dir, 'projections.sqlite')), {
    saveEveryMs: 5_000,
    saveEveryEvents: 250_000,
  });
  started = process.hrtime.bigint();
  await engine.start();
  for (const runner of Object.values(engine.runners)) {
    if (!(await runner.waitFor(head, 3_600_000))) throw new Error(`${runner.projection.name} did not catch up`);
  }
  const rebuildSeconds = seconds(started);
  await engine.stop();
  const peakRss = process.resourceUsage().maxRSS * 1024;

  const middle = Math.floor(head / 2);
  const asOf: string[] = [];
  for (const projection of allProjections) {
    started = process.hrtime.bigint();
    await replay(store, projection, middle);
    asOf.push(`${projection.name} ${seconds(started).toFixed(2)} s`);
  }

  const ceilingRate = parsed / ceilingSeconds;
  const rebuildRate = total / rebuildSeconds;
  process.stdout.write(`
meeting-ledger replay bench: ${total} events, three projections (agenda, attendance, timeline)

ceiling (read + parse, nothing applied): ${ceilingRate.toFixed(0)} events/s (${ceilingSeconds.toFixed(1)} s)
rebuild of all three from zero:          ${rebuildRate.toFixed(0)} events/s (${rebuildSeconds.toFixed(1)} s), ratio to ceiling ${(rebuildRate / ceilingRate).toFixed(2)}
peak RSS of the process:                 ${mib(peakRss)} (${mib(rssBefore)} before the rebuild)
asOf position ${middle} (middle of the log), replayed per projection: ${asOf.join(', ')}
`);
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
