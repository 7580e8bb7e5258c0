import { connect, type Socket } from 'node:net';
import { loadMix } from '../commandMix.js';
import { commandLoad, describeLoad, summarise } from './loadFigures.js';
import { mib, millis, sleep } from './measure.js';
import { memoryOf, waitReady } from './processes.js';
import { restoreWarm } from './serverFigures.js';
import type { Measurements } from './report.js';
import type { LedgerSession } from './session.js';
import { settings, TOKENS } from './settings.js';

type Reader = { socket: Socket; status: string };

/**
 * One live-feed reader that never reads: it sends the request, takes the first bytes to learn the
 * status, then pauses its socket for good, so the server's writes back up behind it.
 */
const openStalledReader = (port: number): Promise<Reader> =>
  new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined); // a reset after we stopped listening changes nothing measured
    const settle = (status: string) => {
      clearTimeout(timer);
      socket.pause();
      resolve({ socket, status });
    };
    const timer = setTimeout(() => settle('no answer'), 10_000);
    socket.once('data', (chunk: Buffer) => settle(/^HTTP\/1\.[01] (\d{3})/.exec(chunk.toString('latin1'))?.[1] ?? '?'));
    socket.once('close', () => settle('closed'));
    socket.write(
      `GET /v1/events/live?after=0 HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
        `Authorization: Bearer ${TOKENS.reporter}\r\nAccept: text/event-stream\r\n\r\n`,
    );
  });

const tally = (readers: readonly Reader[]): string => {
  const counts = new Map<string, number>();
  for (const { status } of readers) counts.set(status, (counts.get(status) ?? 0) + 1);
  return [...counts].map(([status, count]) => `${count}× ${status}`).join(', ');
};

/**
 * Secretariat command latency with stalled readers of the live feed: first the reference (the mix
 * at c=10, no readers), then the readers opened (each asking for the whole log from position 0), 2 s
 * to let their buffers fill, and the same load again. The server is watched meanwhile: past
 * BENCH_MAX_SERVER_RSS_MIB the readers are closed early (the machine is shared) and it says so.
 */
export const stalledReaders = async (session: LedgerSession): Promise<Measurements> => {
  // Measured on a server that is ready: one still rebuilding from the step before would be measured instead.
  if ((await waitReady(await session.running(), 0)) === undefined) await restoreWarm(session);
  const server = await session.running();
  const reference = await commandLoad(server);
  const readers = await Promise.all(
    Array.from({ length: settings.stalledReaders }, () => openStalledReader(server.port)),
  );
  let overgrown = false;
  const guard = setInterval(() => {
    if ((memoryOf(server.pid)?.rssBytes ?? 0) <= settings.maxServerRssBytes) return;
    overgrown = true;
    for (const { socket } of readers) socket.destroy();
  }, 250);
  try {
    await sleep(2_000);
    const loaded = summarise(
      await loadMix(server.baseUrl, TOKENS.secretariat, settings.connections, settings.seconds).done,
    );
    const peak = memoryOf(server.pid)?.peakBytes;
    const note =
      `${settings.stalledReaders} readers: ${tally(readers)}; with them ${describeLoad(loaded)}, without ${describeLoad(reference)}` +
      `; server peak RSS ${peak === undefined ? 'gone' : mib(peak)}` +
      (overgrown ? `; readers closed early: server RSS passed ${mib(settings.maxServerRssBytes)}` : '');
    const answered = loaded.rps > 0;
    return {
      stalledReaders: {
        value: answered ? millis(loaded.p99) : `no command succeeded in ${settings.seconds} s`,
        ceiling: `${millis(reference.p99)} (no readers)`,
        ...(answered && { ratio: reference.p99 / Math.max(loaded.p99, 0.001) }),
        pass: answered && !overgrown && loaded.non2xx + loaded.errors === 0 && loaded.p99 < 100,
        note,
      },
    };
  } finally {
    clearInterval(guard);
    for (const { socket } of readers) socket.destroy();
  }
};
