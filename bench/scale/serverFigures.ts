import { memoryOf, runCli, waitReady, type Server } from './processes.js';
import { bytes, fastest, mib, millis, seconds, sleep, timesOf } from './measure.js';
import { startPinger, timedGet } from './probes.js';
import { unmeasured, type Measured, type Measurements } from './report.js';
import type { LedgerSession } from './session.js';
import { settings, TOKENS } from './settings.js';

const timedOut = () => `timed out after ${settings.timeoutMs / 1000} s`;

/**
 * Cold start: the projection store deleted, the server started, timed to the first 200 of /readyz;
 * taken `settings.repeats` times, the fastest counts (as for the rebuild it is compared with).
 */
export const coldStart = async (
  session: LedgerSession,
  rebuildMs: number | undefined,
): Promise<{ measured: Measurements; ready: boolean }> => {
  const starts: { ready: number; listenMs: number }[] = [];
  for (let i = 0; i < settings.repeats; i += 1) {
    await session.stop();
    session.deleteProjectionStore();
    const server = await session.start();
    const ready = await waitReady(server, settings.timeoutMs);
    const listening = `listening after ${seconds(server.listenMs)}`;
    if (ready === undefined) return { measured: { coldStart: unmeasured(timedOut(), listening) }, ready: false };
    starts.push({ ready, listenMs: server.listenMs });
  }
  const best = fastest(starts, (start) => start.ready);
  const coldStartFigure: Measured = {
    value: seconds(best.ready),
    ceiling: rebuildMs === undefined ? 'rebuild not measured' : `${seconds(rebuildMs)} (rebuild)`,
    ...(rebuildMs !== undefined && { ratio: rebuildMs / best.ready }),
    pass: rebuildMs !== undefined && best.ready <= rebuildMs,
    note: `fastest of ${timesOf(starts, (start) => start.ready)}; listening after ${seconds(best.listenMs)}`,
  };
  return { measured: { coldStart: coldStartFigure }, ready: true };
};

/** After a cold start that never got ready: rebuild with the CLI, so the figures after it start warm. */
export const restoreWarm = async (session: LedgerSession): Promise<void> => {
  await session.stop();
  await runCli(session.dataDir, ['projections', 'rebuild'], settings.timeoutMs);
  await session.running();
};

/** Each projection as of the middle of the log, as the auditor asks for it (the first page, default limit). */
export const asOfMiddle = async (session: LedgerSession, head: number): Promise<Measurements> => {
  const { baseUrl } = await session.running();
  const middle = Math.floor(head / 2);
  const read = async (path: string): Promise<Measured> => {
    try {
      const answer = await timedGet(`${baseUrl}${path}`, TOKENS.auditor, settings.timeoutMs);
      const note = `asOf=${middle}: ${answer.status}, ${bytes(Buffer.byteLength(answer.body))} answered`;
      return { value: millis(answer.ms), pass: answer.status === 200 && answer.ms < 1_000, note };
    } catch {
      return unmeasured(timedOut());
    }
  };
  return {
    asOfAgenda: await read(`/v1/agenda?asOf=${middle}&from=2000-01-01T00:00:00Z`),
    asOfAttendance: await read(`/v1/attendance?asOf=${middle}`),
    asOfTimeline: await read(`/v1/timeline?asOf=${middle}`),
  };
};

/**
 * Warm restart: SIGTERM, wait for the exit, start again, time to the first 200 of /readyz; the
 * resident size 5 s later; then, the stream cache empty after the restart, the long meeting read
 * once as the secretariat while /healthz is pinged every 5 ms (the largest ping latency is how long
 * the event loop was held).
 */
export const warmRestart = async (session: LedgerSession, longMeetingId: string): Promise<Measurements> => {
  const url = (server: Server) => `${server.baseUrl}/v1/meetings/${longMeetingId}`;
  // The generator wrote the long meeting straight into the store, as an import would: no server has
  // folded it, so it has no snapshot. A server that recorded its 50k events would have saved them as
  // it went; one read before the restart does the same (and its time is said, not measured).
  const first = await timedGet(url(await session.running()), TOKENS.secretariat, settings.timeoutMs).catch(
    () => undefined,
  );
  const stopped = await session.stop();
  const server = await session.start();
  const ready = await waitReady(server, settings.timeoutMs);
  const stop = stopped ? `${stopped.graceful ? 'exited' : 'SIGKILLed'} ${seconds(stopped.ms)} after SIGTERM` : '';
  const listening = `${stop}; listening after ${seconds(server.listenMs)}`;
  if (ready === undefined) return { warmRestart: unmeasured(timedOut(), listening) };
  await sleep(5_000);
  const idle = memoryOf(server.pid);
  const measured: Measurements = {
    warmRestart: { value: seconds(ready), pass: ready <= 2_000, note: listening },
    idleRss: idle ? { value: mib(idle.rssBytes), pass: idle.rssBytes <= 256 * 1_048_576 } : unmeasured('server gone'),
  };
  const pinger = await startPinger(`${server.baseUrl}/healthz`, 5);
  await sleep(100);
  try {
    const answer = await timedGet(url(server), TOKENS.secretariat, settings.timeoutMs);
    const revision = answer.status === 200 ? (JSON.parse(answer.body) as { revision?: number }).revision : undefined;
    measured.longRead = {
      value: millis(answer.ms),
      pass: answer.status === 200 && answer.ms < 100,
      note:
        `${answer.status}, revision ${revision ?? '?'}, ${bytes(Buffer.byteLength(answer.body))} answered; ` +
        `before the restart, its first read (no snapshot yet: every event folded) took ${first ? millis(first.ms) : 'too long'}`,
    };
  } catch {
    measured.longRead = unmeasured(timedOut());
  }
  await sleep(50);
  const pings = await pinger.stop();
  measured.longReadLoop = {
    value: millis(pings.max),
    pass: pings.failed === 0 && pings.max < 100,
    note: `${pings.sent} pings every 5 ms from 100 ms before the read to 50 ms after; p99 ${millis(pings.p99)}, failed ${pings.failed}`,
  };
  return measured;
};
