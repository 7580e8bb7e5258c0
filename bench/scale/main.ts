import { cpus, loadavg, totalmem } from 'node:os';
import { prepareLedger } from './generate.js';
import { healthDuringRebuild, throughput } from './loadFigures.js';
import { bytes, mib, seconds } from './measure.js';
import { offlineFigures } from './offline.js';
import { renderTable, type FigureId, type Measurements } from './report.js';
import { asOfMiddle, coldStart, restoreWarm, warmRestart } from './serverFigures.js';
import { buildForBench } from './processes.js';
import { LedgerSession } from './session.js';
import { settings } from './settings.js';
import { stalledReaders } from './stalledReaders.js';

/**
 * npm run bench -- scale: the figures of issue 10 ("History at scale") on a generated ledger of
 * BENCH_EVENTS events plus one meeting of BENCH_LONG_MEETING_EVENTS, each against a ceiling
 * measured in this run on this machine where its target is a ratio. Every process measured is the
 * real server or CLI in a child process. Prints a table and a summary; exits 0 either way.
 */
const began = performance.now();
const say = (line: string) => process.stdout.write(`${line}\n`);
const measured: Measurements = {};
const failures = new Map<FigureId, string>();

/** Runs one step; a step that throws leaves its figures unmeasured, with the reason, and the run goes on. */
const step = async <T>(label: string, ids: readonly FigureId[], work: () => Promise<T>): Promise<T | undefined> => {
  const started = performance.now();
  say(`... ${label}`);
  try {
    const result = await work();
    say(`    done in ${seconds(performance.now() - started)}`);
    return result;
  } catch (error) {
    const message = (error as Error).message.split('\n')[0] ?? String(error);
    const why = `error: ${message.length > 100 ? `${message.slice(0, 100)}…` : message}`;
    say(`    ${why}`);
    for (const id of ids) failures.set(id, why);
    return undefined;
  }
};
const record = (figures: Measurements | undefined) => Object.assign(measured, figures);

const cpu = cpus();
const machine = `${cpu.length} cores (${cpu[0]?.model ?? '?'}), ${mib(totalmem())} RAM, node ${process.version}`;
const load = loadavg()
  .map((l) => l.toFixed(2))
  .join(' ');
say(`meeting-ledger scale bench on ${machine}; load average at start ${load} (the machine may be shared)`);
buildForBench();
say(
  `BENCH_EVENTS=${settings.events} BENCH_LONG_MEETING_EVENTS=${settings.longMeetingEvents} ` +
    `BENCH_SECONDS=${settings.seconds} BENCH_TIMEOUT_S=${settings.timeoutMs / 1000}`,
);

const ledger = await prepareLedger();
say(
  `ledger: ${ledger.total} events (head ${ledger.head}; long meeting ${ledger.longMeetingId}), ` +
    `${bytes(ledger.bytes)} on disk (events ${bytes(ledger.logBytes)}); ` +
    (ledger.reused
      ? `reused from BENCH_KEEP=${settings.keep}`
      : `generated in ${seconds(ledger.generatedMs)}, audit log indexed in ${seconds(ledger.auditMs)}`),
);
const session = new LedgerSession(ledger.dir);
try {
  const offline = await step(
    'ceilings, projections rebuild and audit verify (CLI)',
    ['rebuild', 'rebuildRss', 'verify', 'verifyRss'],
    () => offlineFigures(ledger.dir),
  );
  record(offline?.measured);
  const cold = await step('cold start to /readyz', ['coldStart'], () => coldStart(session, offline?.rebuildMs));
  record(cold?.measured);
  if (!cold?.ready)
    await step('rebuilding with the CLI so the next figures start warm', [], () => restoreWarm(session));
  record(
    await step('asOf the middle of the log', ['asOfAgenda', 'asOfAttendance', 'asOfTimeline'], () =>
      asOfMiddle(session, ledger.head),
    ),
  );
  record(
    await step('command throughput on a fresh ledger, then on this one', ['throughput'], () => throughput(session)),
  );
  record(
    await step('warm restart, idle RSS, the long meeting', ['warmRestart', 'idleRss', 'longRead', 'longReadLoop'], () =>
      warmRestart(session, ledger.longMeetingId),
    ),
  );
  record(await step('/healthz during commands and a cold rebuild', ['healthz'], () => healthDuringRebuild(session)));
  record(await step('stalled live-feed readers', ['stalledReaders'], () => stalledReaders(session)));
} finally {
  await session.stop();
  ledger.dispose();
}

say(`\nmeeting-ledger scale bench: ${ledger.total} events, ${machine}\n`);
say(renderTable(measured, (id) => failures.get(id) ?? 'not measured (its step stopped before it)'));
say(`whole run: ${seconds(performance.now() - began)}`);
process.exit(0);
