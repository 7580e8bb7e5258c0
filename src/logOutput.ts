import pino, { type LoggerOptions } from 'pino';

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
export type LogOutput = {
  destination: pino.DestinationStream & {
    end(): void;
    destroy(): void;
    once(event: 'close' | 'error', listener: () => void): unknown;
    off(event: 'close' | 'error', listener: () => void): unknown;
  };
};

/**
 * JSON lines, or lines for a person when standard output is a terminal and pino-pretty is installed
 * (a development dependency: production installs, `npm ci --omit=dev` in the image, log JSON, which
 * is what a log collector reads).
 */
export const openLogOutput = async (): Promise<LogOutput> => {
  // Anything written with process.stdout must not crash the server once its reader is gone (the log
  // destination handles its own EPIPE).
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  const pretty = process.stdout.isTTY ? await prettyOutput() : undefined;
  return { destination: pretty ?? pino.destination({ dest: 1, sync: false }) };
};

const prettyOutput = async (): Promise<LogOutput['destination'] | undefined> => {
  try {
    const { default: pretty } = await import('pino-pretty');
    return pretty({ destination: 1, colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' });
  } catch {
    return undefined; // not installed (a production install): JSON it is
  }
};

/**
 * The address in the server's structured "listening" line, for tools that start it on port 0 and
 * read its standard output (JSON: they read a pipe, not a terminal).
 */
export const listeningAddressOf = (line: string): string | undefined => {
  if (!line.startsWith('{') || !line.includes('"listening"')) return undefined;
  try {
    const parsed = JSON.parse(line) as { msg?: unknown; address?: unknown };
    return parsed.msg === 'listening' && typeof parsed.address === 'string' ? parsed.address : undefined;
  } catch {
    return undefined;
  }
};

/**
 * The logger for the lines that say where the process stands (listening, shutting down, stopped): at
 * least info, whatever LOG_LEVEL asks (warn, fatal), so tools and operators always see them; none
 * when LOG_LEVEL=silent.
 */
export const lifecycleLogger = (logger: pino.Logger): pino.Logger =>
  logger.levelVal > (pino.levels.values.info ?? 30) && logger.level !== 'silent'
    ? logger.child({}, { level: 'info' })
    : logger;

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

/** The server's logger options (the HTTP app's too): tokens and console sessions never reach the log, whatever the header's case. */
export const loggerOptions = (level: string): LoggerOptions => ({
  level,
  redact: {
    paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["idempotency-key"]'],
    censor: '[redacted]',
  },
});
