import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { listeningAddressOf } from '../../src/logOutput.js';
import { TOKENS } from './settings.js';
import { sleep, within } from './measure.js';

/**
 * The real processes under measurement, each a child of the bench: the compiled server as `npm
 * start` runs it (`node dist/main.js`) and the compiled `ledger` CLI, with no npm wrapper process in
 * between, so the pid sampled is the one doing the work and SIGTERM reaches it undelayed. The bench
 * builds `dist/` first (`buildForBench`).
 */
const inherited = Object.fromEntries(
  // Nothing of the caller's ledger settings leaks in: these processes must never reach a real store.
  Object.entries(process.env).filter(([name]) => !/^(LEDGER_|DATABASE_|EVENTSTORE_|PORT$|HOST$)/.test(name)),
);

const ledgerEnv = (dataDir: string): NodeJS.ProcessEnv => ({
  ...inherited,
  LEDGER_DATA_DIR: dataDir,
  LEDGER_TOKENS: Object.entries(TOKENS)
    .map(([role, token]) => `${role}:${token}`)
    .join(','),
  LOG_LEVEL: 'warn',
  // A per-token rate limit is policy, not speed: at c=10 it would turn the load into 429s.
  LEDGER_RATE_LIMIT: '0',
});

export type Memory = { rssBytes: number; peakBytes: number };

/** Resident and peak resident size (VmRSS, VmHWM) of a live process; undefined once it is gone. */
export const memoryOf = (pid: number | undefined): Memory | undefined => {
  try {
    const status = readFileSync(`/proc/${pid ?? 0}/status`, 'utf8');
    const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1]);
    const [rss, peak] = [kib('VmRSS'), kib('VmHWM')];
    return Number.isFinite(rss) && Number.isFinite(peak) ? { rssBytes: rss * 1024, peakBytes: peak * 1024 } : undefined;
  } catch {
    return undefined;
  }
};

/** The last lines a child wrote to stderr: what to show when it fails. */
const tailOf = (child: ChildProcess, lines = 20): (() => string) => {
  const kept: string[] = [];
  if (child.stderr) {
    createInterface({ input: child.stderr }).on('line', (line) => {
      kept.push(line);
      if (kept.length > lines) kept.shift();
    });
  }
  return () => kept.join('\n');
};

export type Server = {
  child: ChildProcess;
  pid: number;
  baseUrl: string;
  port: number;
  spawnedAt: number;
  /** Milliseconds from spawn to the line saying where it listens (process and module start-up included). */
  listenMs: number;
};

/** Starts `src/main.ts` on `dataDir` (PORT=0) and resolves once it printed where it listens. */
export const startServer = async (dataDir: string, timeoutMs: number): Promise<Server> => {
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, ['dist/main.js'], {
    env: { ...ledgerEnv(dataDir), PORT: '0', HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr = tailOf(child);
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not listen within ${timeoutMs / 1000} s`)), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening: ${stderr()}`));
    });
    // Read every line to the end: a server whose stdout reader is gone never exits (pino retries EPIPE).
    createInterface({ input: child.stdout }).on('line', (line) => {
      const address = listeningAddressOf(line);
      if (address) {
        clearTimeout(timer);
        resolve(address);
      }
    });
  });
  const listenMs = performance.now() - spawnedAt;
  return { child, pid: child.pid ?? 0, baseUrl, port: Number(new URL(baseUrl).port), spawnedAt, listenMs };
};

export const isAlive = ({ child }: { child: ChildProcess }): boolean =>
  child.exitCode === null && child.signalCode === null;

const exitOf = (child: ChildProcess): Promise<void> =>
  isAlive({ child }) ? new Promise((resolve) => child.once('exit', () => resolve())) : Promise.resolve();

/** SIGTERM and wait for the exit; SIGKILL after `graceMs`. Resolves whether it stopped by itself. */
export const stopServer = async (server: Server, graceMs = 60_000): Promise<boolean> => {
  const exited = exitOf(server.child);
  server.child.kill('SIGTERM');
  const graceful = (await within(exited, graceMs)) !== undefined;
  if (!graceful) {
    server.child.kill('SIGKILL');
    await exited;
  }
  return graceful;
};

/**
 * Milliseconds from the server's spawn to the first 200 of /readyz, or undefined once `timeoutMs`
 * have passed since the spawn (it asks at least once, so a bound already past asks "ready now?").
 */
export const waitReady = async (server: Server, timeoutMs: number): Promise<number | undefined> => {
  const deadline = server.spawnedAt + timeoutMs;
  do {
    if (!isAlive(server)) throw new Error(`server exited (${server.child.exitCode ?? server.child.signalCode})`);
    try {
      const left = Math.max(1_000, Math.ceil(deadline - performance.now()));
      const response = await fetch(`${server.baseUrl}/readyz`, { signal: AbortSignal.timeout(left) });
      await response.arrayBuffer();
      if (response.status === 200) return performance.now() - server.spawnedAt;
    } catch {
      // not answering yet (or the wait ran out): ask again
    }
    await sleep(25);
  } while (performance.now() < deadline);
  return undefined;
};

export type CliRun = { ms: number; code: number | null; stdout: string; peakBytes: number; timedOut: boolean };

/**
 * Runs `ledger <args>` on `dataDir` and times it. The peak resident size is the process's own
 * high-water mark (VmHWM), sampled every 50 ms until it exits, so it misses at most its last 50 ms.
 */
export const runCli = async (dataDir: string, args: readonly string[], timeoutMs: number): Promise<CliRun> => {
  const started = performance.now();
  const child = spawn(process.execPath, ['dist/cli/ledger.js', ...args], {
    env: ledgerEnv(dataDir),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr = tailOf(child);
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  let peakBytes = 0;
  const sampler = setInterval(() => (peakBytes = Math.max(peakBytes, memoryOf(child.pid)?.peakBytes ?? 0)), 50);
  const code = new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
  const timedOut = (await within(code, timeoutMs)) === undefined;
  if (timedOut) child.kill('SIGKILL');
  const exitCode = await code;
  clearInterval(sampler);
  const ms = performance.now() - started;
  if (exitCode !== 0 && !timedOut) stdout += `\n${stderr()}`;
  return { ms, code: exitCode, stdout, peakBytes, timedOut };
};

/** Compiles `src` to `dist/` (npm run build): what `npm start` runs is what is measured. */
export const buildForBench = (): void => {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
    stdio: 'inherit',
  });
};
