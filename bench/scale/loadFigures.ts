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

/** Two loads of one server as one: commands/s over both, the worse p99, every refusal and error. */
const combine = (a: autocannon.Result, b: autocannon.Result): LoadResult => ({
  rps: (a['2xx'] + b['2xx']) / Math.max(a.duration + b.duration, 0.001),
  p99: Math.max(a.latency.p99, b.latency.p99),
  non2xx: a.non2xx + b.non2xx,
  errors: a.errors + b.errors,
});

/**
 * Command throughput on this run's ledger (warm) against the ceiling, the same server and load on a
 * fresh, empty data directory, both running side by side. The loads go fresh, this, this, fresh
 * (each BENCH_SECONDS): what else the shared machine does drifts over time, and that order weighs
 * a steady drift on both alike.
 */
export const throughput = async (session: LedgerSession): Promise<Measurements> => {
  const server = await session.running();
  const dataDir = mkdtempSync(join(tmpdir(), 'ledger-scale-fresh-'));
  const fresh = await startServer(dataDir, settings.timeoutMs);
  try {
    await waitReady(fresh, settings.timeoutMs);
    const freshRefused = await prepare(fresh);
    const setupRefused = await prepare(server);
    const run = (target: Server) =>
      loadMix(target.baseUrl, TOKENS.secretariat, settings.connections, settings.seconds).done;
    const fresh1 = await run(fresh);
    const this1 = await run(server);
    const this2 = await run(server);
    const ceiling = { ...combine(fresh1, await run(fresh)), setupRefused: freshRefused };
    const load = { ...combine(this1, this2), setupRefused };
    const ratio = load.rps / ceiling.rps;
    return {
      throughput: {
        value: describeLoad(load),
        ceiling: describeLoad(ceiling),
        ratio,
        pass: ratio >= 0.9,
        note: `c=${settings.connections}, 2 × ${settings.seconds} s on each, in the order fresh, this, this, fresh`,
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
