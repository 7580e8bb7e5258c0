/**
 * What the scale bench runs with. Everything a run may change comes from the environment here, once.
 */
const numberFrom = (name: string, fallback: number): number => {
  const text = process.env[name];
  const value = text === undefined || text === '' ? fallback : Number(text);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, not ${text}`);
  return value;
};

export const settings = {
  /** Events of the realistic mix (BENCH_EVENTS). */
  events: numberFrom('BENCH_EVENTS', 1_000_000),
  /** Events of the one long-lived meeting, besides the mix (BENCH_LONG_MEETING_EVENTS). */
  longMeetingEvents: numberFrom('BENCH_LONG_MEETING_EVENTS', 50_000),
  /** Length of each command load (BENCH_SECONDS). */
  seconds: numberFrom('BENCH_SECONDS', 10),
  /** The bound on every wait: a start to /readyz, a CLI run, one read (BENCH_TIMEOUT_S, default 10 min). */
  timeoutMs: numberFrom('BENCH_TIMEOUT_S', 600) * 1000,
  /**
   * How many times each offline ceiling, CLI run and cold start is taken, alternating (BENCH_REPEATS,
   * default 2): the fastest of each counts, so that a slow spell of a shared machine during one of
   * them does not decide a ratio either way.
   */
  repeats: Math.max(1, Math.floor(numberFrom('BENCH_REPEATS', 2))),
  /** Where a generated ledger is kept and reused between runs (BENCH_KEEP), if anywhere. */
  keep: process.env.BENCH_KEEP || undefined,
  /** Stalled live-feed readers to open. */
  stalledReaders: numberFrom('BENCH_STALLED_READERS', 500),
  /** A server growing past this while readers stall is stopped: the machine is shared (BENCH_MAX_SERVER_RSS_MIB). */
  maxServerRssBytes: numberFrom('BENCH_MAX_SERVER_RSS_MIB', 4096) * 1_048_576,
  connections: 10,
};

export const TOKENS = {
  secretariat: 'scale-secretariat-token-0123456789',
  reporter: 'scale-reporter-token-0123456789abc',
  auditor: 'scale-auditor-token-0123456789abcd',
} as const;

/**
 * Every file in the data directory the server can rebuild from the log: deleted for a cold start.
 * Today the projections' state and checkpoints live in `projections.sqlite` (and its WAL); change
 * this list when the projection storage changes. Not the audit log (`audit.sqlite`): its signed
 * checkpoints are attestations made at the time, which a rebuild could not make again.
 */
export const PROJECTION_STORE = ['projections.sqlite', 'projections.sqlite-wal', 'projections.sqlite-shm'];
