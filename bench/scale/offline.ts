import { join } from 'node:path';
import { readAndHash, readAndParse } from './ceilings.js';
import { fastest, mib, seconds, timesOf } from './measure.js';
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

/** The fastest of `runs` (a run that failed or timed out instead, so that it is reported), with the highest peak RSS. */
const fastestRun = (runs: readonly CliRun[]): CliRun => {
  const failed = runs.find((run) => run.timedOut || run.code !== 0);
  const best = failed ?? fastest(runs, (run) => run.ms);
  return { ...best, peakBytes: Math.max(...runs.map((run) => run.peakBytes)) };
};

/**
 * A ceiling and a CLI run, each taken `settings.repeats` times, alternating: the fastest of each
 * (and the highest peak RSS of the runs).
 */
const alternating = async (ceiling: () => { ms: number; rows: number }, run: () => Promise<CliRun>) => {
  const ceilings: { ms: number; rows: number }[] = [];
  const runs: CliRun[] = [];
  for (let i = 0; i < settings.repeats; i += 1) {
    ceilings.push(ceiling());
    runs.push(await run());
  }
  const ms = (sample: { ms: number }) => sample.ms;
  return {
    ceiling: fastest(ceilings, ms),
    run: fastestRun(runs),
    note: `fastest of ${timesOf(runs, ms)}; ceilings ${timesOf(ceilings, ms)}`,
  };
};

/**
 * With no server running: the two ceilings (one raw pass over the events table each), then
 * `projections rebuild` and `audit verify` through the real CLI, each timed and its peak RSS taken,
 * each pair taken `settings.repeats` times. The rebuild leaves every projection saved at the head,
 * so the next start is warm.
 */
export const offlineFigures = async (dataDir: string): Promise<{ measured: Measurements; rebuildMs?: number }> => {
  const log = join(dataDir, 'ledger.sqlite');
  const startUp = await runCli(dataDir, ['help'], settings.timeoutMs);
  const note = `wall time of the CLI process; its start-up alone (ledger help) takes ${seconds(startUp.ms)}`;
  const rebuild = await alternating(
    () => readAndParse(log),
    () => runCli(dataDir, ['projections', 'rebuild'], settings.timeoutMs),
  );
  const verify = await alternating(
    () => readAndHash(log),
    () => runCli(dataDir, ['audit', 'verify'], settings.timeoutMs),
  );
  const verdict = verify.run.code === 0 && /"ok":\s*true/.test(verify.run.stdout);
  const rebuilt = rebuild.run.code === 0 && !rebuild.run.timedOut;
  return {
    measured: {
      rebuild: ratioFigure(
        rebuild.run,
        rebuild.ceiling.ms,
        rebuild.ceiling.rows,
        0.7,
        rebuilt,
        `${note}; ${rebuild.note}`,
      ),
      rebuildRss: peakFigure(rebuild.run),
      verify: ratioFigure(
        verify.run,
        verify.ceiling.ms,
        verify.ceiling.rows,
        0.8,
        verdict,
        `${note}; exit 0, said ok; ${verify.note}`,
      ),
      verifyRss: peakFigure(verify.run),
    },
    ...(rebuilt && { rebuildMs: rebuild.run.ms }),
  };
};
