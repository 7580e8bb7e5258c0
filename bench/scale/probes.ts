import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export type PingReport = {
  sent: number;
  answered: number;
  pending: number;
  failed: number;
  p50: number;
  p99: number;
  max: number;
};

export type Pinger = { stop: () => Promise<PingReport> };

/** Starts pinging `url` every `intervalMs` from a child process (see pinger.ts); `stop()` returns what it saw. */
export const startPinger = async (url: string, intervalMs: number): Promise<Pinger> => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/scale/pinger.ts', url, String(intervalMs)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const first = await lines.next();
  if (first.value !== 'ready') throw new Error(`pinger did not start: ${String(first.value)}`);
  return {
    stop: async () => {
      child.stdin.end();
      const report = await lines.next();
      if (report.done) throw new Error('pinger exited without a report');
      return JSON.parse(String(report.value)) as PingReport;
    },
  };
};

/** Milliseconds one GET takes to answer in full, with its status; bounded by `timeoutMs`. */
export const timedGet = async (
  url: string,
  token: string,
  timeoutMs: number,
): Promise<{ ms: number; status: number; body: string }> => {
  const started = performance.now();
  const response = await fetch(url, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = await response.text();
  return { ms: performance.now() - started, status: response.status, body };
};
