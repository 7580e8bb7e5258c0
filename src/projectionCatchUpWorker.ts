// A catch-up worker: applies the log to the projections' database on a thread of its own, so that a
// server starting far behind the log (cold, or after a long stop) keeps its event loop for requests.
// It reads the log on its own read-only connection and writes the projections on its own connection;
// the server's engine writes nothing meanwhile (see ProjectionCatchUp).
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { LogFollower } from './application/logFollower.js';
import type { Config } from './config.js';
import { ProjectionEngine } from './projections/projectionEngine.js';
import { ProjectionDatabase } from './projections/store/projectionDatabase.js';
import { openLogReadOnly } from './readOnlyEvents.js';
import { FOLLOWER_PAGE_EVENTS, type FromCatchUpWorker, type WorkerReport } from './projectionCatchUp.js';

/**
 * Background work yields to requests: on Linux this thread (and the threads it starts) runs at nice
 * 10, so when the cores are busy the server's event loop gets them first, and the catch-up what is
 * left. Measured at 1M events with commands coming in, without it: /healthz p99 51 ms, max 475 ms.
 * Elsewhere (no /proc/thread-self) it runs at the process's priority.
 */
const yieldToRequests = (): void => {
  try {
    const threadId = Number(readlinkSync('/proc/thread-self').split('/').at(-1));
    if (Number.isSafeInteger(threadId) && threadId > 0) setPriority(threadId, 10);
  } catch {
    // no per-thread priority here
  }
};
yieldToRequests();

const { config, progressEveryMs } = workerData as { config: Config; progressEveryMs: number };
const port = parentPort!;
const send = (message: FromCatchUpWorker) => port.postMessage(message);

const run = async (): Promise<void> => {
  const { events, close } = await openLogReadOnly(config);
  const database = new ProjectionDatabase(join(config.dataDir, 'projections.sqlite'), { checkpointInBackground: true });
  // What the server's engine and follower would log is sent for the server to log.
  const report = (level: WorkerReport['level'], msg: string, details: Record<string, unknown>) =>
    send({ type: 'report', level, msg, details });
  const engine = new ProjectionEngine(database, {
    onFailure: (projection, failure, error) =>
      report('error', 'projection stopped', { projection, failure, err: String(error) }),
  });
  const follower = new LogFollower(events, [engine], {
    pageSize: FOLLOWER_PAGE_EVENTS,
    stopOnFailure: true,
    onDivergence: (divergence) =>
      report('error', 'the log no longer holds what the projections were built from; rebuilding them', divergence),
  });
  const progress = setInterval(() => send({ type: 'progress', applied: engine.applied() }), progressEveryMs);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    clearInterval(progress);
    await follower.stop();
    engine.stop(); // commits what it applied
    await database.close();
    await close();
  };
  port.on('message', (message: 'stop') => {
    if (message === 'stop') void stop().then(() => send({ type: 'stopped' }));
  });
  follower.start();
  try {
    await follower.caughtUp;
  } catch (error) {
    await stop();
    throw error;
  }
  if (stopping) return; // asked to stop: 'stopped' is said once closed
  await stop();
  send({ type: 'done', applied: engine.applied() });
};

run().then(
  () => port.close(),
  (error: unknown) => {
    send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
    port.close();
  },
);
