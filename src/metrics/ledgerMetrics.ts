import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CommitObserved } from '../eventStore/eventStore.js';
import { ScrapedGauges, type ScrapeSources } from './scrapedGauges.js';

/** What became of a command: answered with new events (or none needed), answered again, refused, lost a race, or failed. */
export type CommandResult = 'accepted' | 'replayed' | 'refused' | 'conflict' | 'failed';

/** Problems that mean another writer got there first, not that the command was wrong. */
const CONFLICTS = new Set(['concurrency-conflict', 'precondition-failed', 'wrong-expected-version']);

/** From a few hundred microseconds (one fsync) to seconds (a store that stalls). */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
/** Group commit gathers up to a few hundred appends, each of one or a few events. */
const EVENTS_PER_COMMIT_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];

/** The outcome of a command from its answer: the status, the problem code of a refusal, and whether it was replayed. */
export const commandResultOf = (status: number, problem: string | undefined, replayed: boolean): CommandResult => {
  if (status < 400) return replayed ? 'replayed' : 'accepted';
  if (problem !== undefined && CONFLICTS.has(problem)) return 'conflict';
  return status >= 500 ? 'failed' : 'refused';
};

/**
 * The ledger's Prometheus metrics, in a registry of their own (never prom-client's global one: two
 * ledgers in one process, as in tests, must not count into each other). Everything updated on the
 * command path is a counter increment or a histogram observation, O(1); what needs the stores (lag,
 * the audit tree, the store's availability) is read when scraped, never while commanding.
 */
export class LedgerMetrics {
  readonly registry = new Registry();
  private readonly commands = new Counter({
    name: 'ledger_commands_total',
    help: 'Commands answered, by command type and outcome (accepted, replayed, refused, conflict, failed); refusals carry their problem code',
    labelNames: ['command', 'outcome', 'problem'] as const,
    registers: [this.registry],
  });
  private readonly appends = new Histogram({
    name: 'ledger_append_duration_seconds',
    help: "A command's append, from handing its events to the store until they are durable (queueing for the group commit included)",
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly commits = new Histogram({
    name: 'ledger_group_commit_duration_seconds',
    help: "One transaction of the store's group commit, from its start until COMMIT returned",
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly eventsPerCommit = new Histogram({
    name: 'ledger_events_per_commit',
    help: 'Events written by one transaction of the group commit',
    buckets: EVENTS_PER_COMMIT_BUCKETS,
    registers: [this.registry],
  });
  private readonly sseClients = new Gauge({
    name: 'ledger_sse_clients',
    help: 'Clients following the live feed (server-sent events) now',
    registers: [this.registry],
  });
  private readonly scraped = new ScrapedGauges(this.registry);
  private processMetrics = false;

  /** A command route answered. */
  commandAnswered(command: string, status: number, problem: string | undefined, replayed: boolean): void {
    const outcome = commandResultOf(status, problem, replayed);
    this.commands.inc(
      outcome === 'refused' || outcome === 'conflict' || outcome === 'failed'
        ? { command, outcome, problem: problem ?? 'unknown' }
        : { command, outcome },
    );
  }

  /** A command's append settled after `seconds`. */
  readonly appendSettled = (seconds: number): void => this.appends.observe(seconds);

  /** The store committed one transaction of the group commit (see EventStore's CommitObserver). */
  readonly committed = (commit: CommitObserved): void => {
    this.commits.observe(commit.seconds);
    this.eventsPerCommit.observe(commit.events);
  };

  /** Told as clients start and stop following the live feed. */
  readonly liveClients = { joined: () => this.sseClients.inc(), left: () => this.sseClients.dec() };

  /**
   * Node's own metrics (event-loop delay, heap, CPU, handles), once per registry: only a process that
   * serves /metrics samples them (the event-loop monitor runs from now on).
   */
  collectProcessMetrics(): void {
    if (this.processMetrics) return;
    this.processMetrics = true;
    collectDefaultMetrics({ register: this.registry });
  }

  /** The exposition text, with the gauges read from `sources` now. */
  async scrape(sources: ScrapeSources, now = new Date()): Promise<string> {
    await this.scraped.read(sources, now);
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
