import { Agent, get } from 'node:http';
import { percentile } from './measure.js';

/**
 * `node --import tsx bench/scale/pinger.ts <url> <intervalMs>`: GETs `url` every `intervalMs` on a
 * fixed schedule, in its own process so that neither the server's nor the bench's event loop delays
 * it. Each latency counts from when the ping was due, not when it could be sent, so a server that
 * stalls for a second shows a second (and every ping due meanwhile), not one slow answer. Prints
 * "ready", then, when its stdin closes, one JSON line: pings sent, answered, still pending (counted
 * at their age so far), failed (an error or not 200), and the p50, p99 and max latency in ms.
 */
const [url, intervalText] = process.argv.slice(2);
const interval = Number(intervalText);
if (!url || !(interval > 0)) throw new Error('usage: pinger.ts <url> <intervalMs>');

const agent = new Agent({ keepAlive: true, maxSockets: 16 });
const latencies: number[] = [];
const pending = new Set<number>();
let failed = 0;
let sent = 0;
const began = performance.now();

const ping = (due: number) => {
  pending.add(due);
  const settle = (ok: boolean) => {
    if (!pending.delete(due)) return;
    if (ok) latencies.push(performance.now() - due);
    else failed += 1;
  };
  get(url, { agent }, (response) => {
    response.resume();
    response.once('end', () => settle(response.statusCode === 200));
  }).once('error', () => settle(false));
};

const timer = setInterval(
  () => {
    for (let due = began + sent * interval; due <= performance.now(); due = began + sent * interval) {
      sent += 1;
      ping(due);
    }
  },
  Math.max(1, interval / 2),
);

process.stdin.once('end', () => {
  clearInterval(timer);
  const now = performance.now();
  const all = [...latencies, ...[...pending].map((due) => now - due)];
  const report = {
    sent,
    answered: latencies.length,
    pending: pending.size,
    failed,
    p50: percentile(all, 0.5),
    p99: percentile(all, 0.99),
    max: all.length > 0 ? Math.max(...all) : Number.NaN,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`, () => process.exit(0));
});
process.stdin.resume();
process.stdout.write('ready\n');
