import { Gauge, type Registry } from 'prom-client';
import type { AuditStore } from '../audit/auditStore.js';
import type { EventStore } from '../eventStore/eventStore.js';
import type { ProjectionEngine } from '../projections/projectionEngine.js';

/** What the scrape-time gauges are read from. */
export type ScrapeSources = {
  store: EventStore;
  projections: Pick<ProjectionEngine, 'report'>;
  audit: { readonly treeSize: number };
  auditStore: Pick<AuditStore, 'latestCheckpoint'>;
};

/**
 * How far behind a projection is counted, in events: a scrape reads no more of the log than this
 * (as /readyz, see ProjectionEngine.report); a projection further behind shows this number.
 */
export const LAG_COUNTED_UP_TO = 10_000;
/** A store that has not answered a ping by then counts as unavailable for this scrape. */
const PING_TIMEOUT_MS = 2_000;

const answersWithin = async (ping: () => Promise<void>, ms: number): Promise<boolean> => {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([ping().then(() => true), late]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
};

/** The gauges read from the stores when Prometheus scrapes: never on the command path. */
export class ScrapedGauges {
  private readonly storeUp;
  private readonly lagEvents;
  private readonly lagSeconds;
  private readonly treeSize;
  private readonly checkpointAge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.storeUp = new Gauge({
      name: 'ledger_store_up',
      help: 'Whether the event store answered a ping at this scrape (1) or not (0)',
      registers,
    });
    this.lagEvents = new Gauge({
      name: 'ledger_projection_lag_events',
      help: `Events in the log not yet applied by the projection (counted up to ${LAG_COUNTED_UP_TO})`,
      labelNames: ['projection'] as const,
      registers,
    });
    this.lagSeconds = new Gauge({
      name: 'ledger_projection_lag_seconds',
      help: 'How long the oldest event the projection has not applied has waited',
      labelNames: ['projection'] as const,
      registers,
    });
    this.treeSize = new Gauge({ name: 'ledger_audit_tree_size', help: 'Leaves in the audit Merkle tree', registers });
    this.checkpointAge = new Gauge({
      name: 'ledger_audit_last_checkpoint_age_seconds',
      help: 'Seconds since the last signed checkpoint of the audit tree (absent before the first one)',
      registers,
    });
  }

  async read(sources: ScrapeSources, now: Date): Promise<void> {
    const up = await answersWithin(() => sources.store.ping(), PING_TIMEOUT_MS);
    this.storeUp.set(up ? 1 : 0);
    this.treeSize.set(sources.audit.treeSize);
    const checkpoint = sources.auditStore.latestCheckpoint();
    this.checkpointAge.reset();
    if (checkpoint) this.checkpointAge.set(Math.max(0, (now.getTime() - Date.parse(checkpoint.createdAt)) / 1000));
    // A lag that cannot be counted now is left out, never shown as it was at an earlier scrape.
    this.lagEvents.reset();
    this.lagSeconds.reset();
    if (!up) return;
    const reports = await sources.projections
      .report(sources.store, now, { countUpTo: LAG_COUNTED_UP_TO })
      .catch(() => []);
    for (const report of reports) {
      this.lagEvents.set({ projection: report.name }, report.lagEvents);
      this.lagSeconds.set({ projection: report.name }, report.lagSeconds);
    }
  }
}
