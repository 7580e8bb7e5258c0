import { join } from 'node:path';
import { readAndHash, readAndParse } from './ceilings.js';
import { mib, seconds } from './measure.js';
import { runCli, type CliRun } from './processes.js';
import { unmeasured, type Measured, type Measurements } from './report.js';
import { settings } from './settings.js';

/** Peak resident size of a CLI run against its bound; a run cut short reports at least what it reached. */
const peakFigure = (run: CliRun): Measured => ({
  value: `${run.timedOut ? '>= ' : ''}${mib(run.peakBytes)}`,
  pass: !run.timedOut && run.code === 0 && run.peakBytes < 512 * 1_048_576,
});

/** A CLI run against its ceiling (ratio = ceiling time / run time), or why there is no figure. */
const ratioFigure = (
  run: CliRun,
  ceilingMs: number,
  rows: number,
  minimum: number,
  ok: boolean,
  note: string,
): Measured => {
  if (run.timedOut) return unmeasured(`timed out after ${settings.timeoutMs / 1000} s`);
  if (!ok) return unmeasured(`failed (exit ${run.code})`, run.stdout.trim().split('\n').slice(-3).join(' / '));
  const ratio = ceilingMs / run.ms;
  return {
    value: `${seconds(run.ms)} (${((rows / run.ms) * 1000).toFixed(0)} events/s)`,
    ceiling: seconds(ceilingMs),
    ratio,
    pass: ratio >= minimum,
    note,
  };
};

/**
 * With no server running: the two ceilings (one raw pass over the events table each), then
 * `projections rebuild` and `audit verify` through the real CLI, each timed and its peak RSS taken.
 * The rebuild leaves every projection saved at the head, so the next start is warm.
 */
export const offlineFigures = async (dataDir: string): Promise<{ measured: Measurements; rebuildMs?: number }> => {
  const log = join(dataDir, 'ledger.sqlite');
  const startUp = await runCli(dataDir, ['help'], settings.timeoutMs);
  const note = `wall time of the CLI process; its start-up alone (ledger help) takes ${seconds(startUp.ms)}`;
  const parse = readAndParse(log);
  const rebuild = await runCli(dataDir, ['projections', 'rebuild'], settings.timeoutMs);
  const hashed = readAndHash(log);
  const verify = await runCli(dataDir, ['audit', 'verify'], settings.timeoutMs);
  const verdict = verify.code === 0 && /"ok":\s*true/.test(verify.stdout);
  return {
    measured: {
      rebuild: ratioFigure(rebuild, parse.ms, parse.rows, 0.7, rebuild.code === 0, note),
      rebuildRss: peakFigure(rebuild),
      verify: ratioFigure(verify, hashed.ms, hashed.rows, 0.8, verdict, `${note}; exit 0, said ok`),
      verifyRss: peakFigure(verify),
    },
    ...(rebuild.code === 0 && { rebuildMs: rebuild.ms }),
  };
};
