import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type autocannon from 'autocannon';
import { loadMix, prepareMix, SETUP_COMMANDS } from '../commandMix.js';
import { millis, seconds } from './measure.js';
import { startPinger } from './probes.js';
import { startServer, stopServer, waitReady, type Server } from './processes.js';
import { unmeasured, type Measurements } from './report.js';
import type { LedgerSession } from './session.js';
import { settings, TOKENS } from './settings.js';

export type LoadResult = {
  rps: number;
  p99: number;
  non2xx: number;
  errors: number;
  /** Setup commands (members, meetings) still refused as overloaded when the load began. */
  setupRefused?: number;
};

/** How long setup waits out a server shedding load before the load starts anyway (and says so). */
const SETUP_RETRY_MS = 60_000;

const prepare = (server: Server): Promise<number> => prepareMix(server.baseUrl, TOKENS.secretariat, SETUP_RETRY_MS);

/** Commands/s that succeeded (2xx only: a refusal is not throughput), p99 and what went wrong. */
export const summarise = (result: autocannon.Result): LoadResult => ({
  rps: result['2xx'] / Math.max(result.duration, 0.001),
  p99: result.latency.p99,
  non2xx: result.non2xx,
  errors: result.errors,
});

export const describeLoad = (load: LoadResult): string => {
  const refusals = load.non2xx + load.errors > 0 ? `, ${load.non2xx} non-2xx, ${load.errors} errors` : '';
  const setup = load.setupRefused
    ? ` (setup: ${load.setupRefused} of ${SETUP_COMMANDS} commands still refused after ${SETUP_RETRY_MS / 1000} s)`
    : '';
  return `${load.rps.toFixed(load.rps < 10 ? 1 : 0)} cmd/s, p99 ${millis(load.p99)}${refusals}${setup}`;
};

/** The mix at c=10 for BENCH_SECONDS against a server, after preparing its meetings. */
export const commandLoad = async (server: Server): Promise<LoadResult> => {
  const setupRefused = await prepare(server);
  const result = await loadMix(server.baseUrl, TOKENS.secretariat, settings.connections, settings.seconds).done;
  return { ...summarise(result), setupRefused };
};

/** Loads of one server as one: commands/s over all of them, the worst p99, every refusal and error. */
const combine = (loads: readonly autocannon.Result[]): LoadResult => {
  const total = (of: (load: autocannon.Result) => number) => loads.reduce((sum, load) => sum + of(load), 0);
  const duration = Math.max(
    total((l) => l.duration),
    0.001,
  );
  return {
    rps: total((l) => l['2xx']) / duration,
    p99: Math.max(...loads.map((l) => l.latency.p99)),
    non2xx: total((l) => l.non2xx),
    errors: total((l) => l.errors),
  };
};

/** Rounds of the fresh, this, this, fresh order: BENCH_SECONDS of load on each server, split between them. */
const THROUGHPUT_ROUNDS = 3;

/**
 * Command throughput on this run's ledger (warm) against the ceiling, the same server and load on a
 * fresh, empty data directory, both running side by side. The loads go fresh, this, this, fresh,
 * THROUGHPUT_ROUNDS times, each a share of BENCH_SECONDS: the speed of the shared machine drifts
 * within seconds (one ratio went 0.86, 0.96, 1.12, 1.33 over four samples of two 10 s loads each
 * while the 1M server's CPU per sample stayed 17.6-18.0 s), and the shorter the loads alternate,
 * the less a drift counts for one server only.
 */
export const throughput = async (session: LedgerSession): Promise<Measurements> => {
  const server = await session.running();
  const dataDir = mkdtempSync(join(tmpdir(), 'ledger-scale-fresh-'));
  const fresh = await startServer(dataDir, settings.timeoutMs);
  try {
    await waitReady(fresh, settings.timeoutMs);
    const freshRefused = await prepare(fresh);
    const setupRefused = await prepare(server);
    const each = Math.max(1, settings.seconds / THROUGHPUT_ROUNDS / 2);
    const run = (target: Server) => loadMix(target.baseUrl, TOKENS.secretariat, settings.connections, each).done;
    // One load on each first, not counted: a server's first commands run before its code is
    // compiled (measured: 1,262-1,753 cmd/s on the first load of a server, 2,200-2,900 after).
    await run(fresh);
    await run(server);
    const onFresh: autocannon.Result[] = [];
    const onThis: autocannon.Result[] = [];
    for (let round = 0; round < THROUGHPUT_ROUNDS; round += 1) {
      onFresh.push(await run(fresh));
      onThis.push(await run(server), await run(server));
      onFresh.push(await run(fresh));
    }
    const ceiling = { ...combine(onFresh), setupRefused: freshRefused };
    const load = { ...combine(onThis), setupRefused };
    const ratio = load.rps / ceiling.rps;
    const rates = (loads: autocannon.Result[]) => loads.map((l) => summarise(l).rps.toFixed(0)).join(', ');
    return {
      throughput: {
        value: describeLoad(load),
        ceiling: describeLoad(ceiling),
        ratio,
        pass: ratio >= 0.9,
        note:
          `c=${settings.connections}, after a load on each not counted, ${THROUGHPUT_ROUNDS} rounds of fresh, this, this, fresh, ${seconds(each * 1000)} each; ` +
          `cmd/s this: ${rates(onThis)}; fresh: ${rates(onFresh)}`,
      },
    };
  } finally {
    await stopServer(fresh);
    rmSync(dataDir, { recursive: true, force: true });
  }
};

/**
 * A cold start under load: the projection store deleted, the server started, then at once the
 * command mix at c=10 and /healthz pinged every 10 ms, both until /readyz answers 200 (bounded).
 */
export const healthDuringRebuild = async (session: LedgerSession): Promise<Measurements> => {
  const setupRefused = await prepare(await session.running());
  await session.stop();
  session.deleteProjectionStore();
  const server = await session.start();
  const pinger = await startPinger(`${server.baseUrl}/healthz`, 10);
  const load = loadMix(server.baseUrl, TOKENS.secretariat, settings.connections, settings.timeoutMs / 1000);
  const ready = await waitReady(server, settings.timeoutMs);
  load.stop();
  const [result, pings] = await Promise.all([load.done, pinger.stop()]);
  const commands = { ...summarise(result), setupRefused };
  const until =
    ready === undefined
      ? `/readyz never answered 200 in ${settings.timeoutMs / 1000} s`
      : `/readyz after ${seconds(ready)}`;
  const note = `${pings.sent} pings every 10 ms until ${until}, max ${millis(pings.max)}, failed ${pings.failed}; commands meanwhile: ${describeLoad(commands)}`;
  if (pings.answered + pings.pending === 0) return { healthz: unmeasured('no pings answered', note) };
  return {
    healthz: { value: millis(pings.p99), pass: ready !== undefined && pings.failed === 0 && pings.p99 <= 50, note },
  };
};
