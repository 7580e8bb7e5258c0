import pino from 'pino';

/**
 * Where the server's log lines go: standard output, written asynchronously (a slow reader never
 * blocks the event loop), through one destination shared by the server's logger and fastify's.
 *
 * Why it is closed by hand: pino registers an exit hook on an asynchronous destination that calls
 * sonic-boom's `flushSync`, and `flushSync` retries every failed write, EAGAIN and EPIPE alike,
 * without end. A process whose stdout reader stopped reading, or went away, with lines still
 * queued would never finish `process.exit`. `closeLogOutput` ends the destination first, within a
 * bound, so the hook finds nothing left to write.
 */
export type LogOutput = { destination: ReturnType<typeof pino.destination> };

export const openLogOutput = (): LogOutput => {
  // The start-up lines are written with process.stdout: a closed reader must not crash the server
  // on them, nor on anything written after (the log destination handles its own EPIPE).
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  return { destination: pino.destination({ dest: 1, sync: false }) };
};

/**
 * Writes what is queued and closes the destination; after `withinMs` (a reader that does not read)
 * or a write error (a reader that is gone), drops the rest: the process must still exit.
 */
export const closeLogOutput = ({ destination }: LogOutput, withinMs: number): Promise<void> =>
  new Promise((resolve) => {
    const done = () => {
      clearTimeout(bound);
      destination.off('close', done);
      destination.off('error', done);
      // Destroyed (a no-op when already closed), the destination is skipped by pino's exit hook.
      destination.destroy();
      resolve();
    };
    const bound = setTimeout(done, withinMs);
    destination.once('close', done);
    destination.once('error', done);
    destination.end();
  });
