import type { StoredEvent } from '../eventStore/eventStore.js';
import type { EventStore } from '../eventStore/eventStore.js';
import { allProjections } from './catalog.js';
import { handles, type ProjectedEvent, type Projection, type ProjectionWriter } from './projection.js';
import { toProjectedEvent } from './projectedEvent.js';
import type { ProjectionDatabase } from './store/projectionDatabase.js';

export type RunnerStatus = 'catching-up' | 'live' | 'rebuilding' | 'failed' | 'stopped';
export type RunnerFailure = { position: number; eventType: string; message: string };

export type ProjectionReport = {
  name: string;
  version: number;
  position: number;
  lagEvents: number;
  lagSeconds: number;
  status: RunnerStatus;
  error?: RunnerFailure;
};

/** One projection as the engine runs it: where it stands and what waits for it. */
type Running = {
  projection: Projection;
  writer: ProjectionWriter;
  position: number;
  status: RunnerStatus;
  failure?: RunnerFailure;
  waiters: Set<{ position: number; wake: () => void }>;
};

type Parsed = ProjectedEvent | { error: unknown } | undefined;

/**
 * Every projection of the ledger, kept as temporal rows in one database and fed by the shared log
 * follower (it is one LogConsumer). A page is applied in one transaction: each projection in its
 * own savepoint, its rows and checkpoint together, so a projection that cannot apply an event stops
 * there, reported, with nothing of that page kept, while the others go on.
 */
export class ProjectionEngine {
  readonly name = 'projections';
  private readonly running = new Map<string, Running>();
  private readonly begin;
  private readonly commit;
  private readonly rollback;

  constructor(
    readonly database: ProjectionDatabase,
    private readonly options: {
      projections?: readonly Projection[];
      onFailure?: (name: string, failure: RunnerFailure, error: unknown) => void;
    } = {},
  ) {
    const db = database.db;
    this.begin = db.prepare('BEGIN');
    this.commit = db.prepare('COMMIT');
    this.rollback = db.prepare('ROLLBACK');
    for (const projection of options.projections ?? allProjections) {
      const position = database.install(projection);
      this.running.set(projection.name, {
        projection,
        writer: projection.writer(db),
        position,
        status: position === 0 ? 'rebuilding' : 'catching-up',
        waiters: new Set(),
      });
    }
  }

  /** LogConsumer: the lowest position among projections still running. */
  position(): number {
    const positions = [...this.running.values()].filter((r) => r.status !== 'failed').map((r) => r.position);
    return positions.length === 0 ? 0 : Math.min(...positions);
  }

  active(): boolean {
    return [...this.running.values()].some((r) => r.status !== 'failed' && r.status !== 'stopped');
  }

  /** LogConsumer: applies a page to every projection behind it, in one transaction. */
  apply(page: readonly StoredEvent[]): void {
    const last = page.at(-1)?.position;
    if (last === undefined) return;
    const behind = [...this.running.values()].filter((r) => r.status !== 'failed' && r.position < last);
    if (behind.length === 0) return;
    const parsed = new Array<Parsed>(page.length);
    const failed: [Running, RunnerFailure, unknown][] = [];
    this.begin.run();
    try {
      for (const running of behind) {
        const failure = this.applyTo(running, page, parsed);
        if (failure) failed.push([running, ...failure]);
        else this.database.saveCheckpoint(running.projection.name, running.projection.version, last);
      }
      this.commit.run();
    } catch (error) {
      if (this.database.db.inTransaction) this.rollback.run();
      for (const running of behind) running.writer.forget();
      throw error;
    }
    for (const running of behind) if (!failed.some(([f]) => f === running)) this.advance(running, last);
    for (const [running, failure, error] of failed) this.fail(running, failure, error);
  }

  /** One projection's share of a page, in a savepoint; the failure if an event could not be applied. */
  private applyTo(
    running: Running,
    page: readonly StoredEvent[],
    parsed: Parsed[],
  ): [RunnerFailure, unknown] | undefined {
    const db = this.database.db;
    db.exec('SAVEPOINT projection');
    for (let i = 0; i < page.length; i++) {
      const stored = page[i]!;
      if (stored.position <= running.position || !handles(running.projection, stored.type)) continue;
      try {
        const event = (parsed[i] ??= parse(stored));
        if ('error' in event) throw event.error;
        running.writer.apply(event);
      } catch (error) {
        db.exec('ROLLBACK TO projection');
        db.exec('RELEASE projection');
        running.writer.forget();
        return [{ position: stored.position, eventType: stored.type, message: String(error) }, error];
      }
    }
    db.exec('RELEASE projection');
    return undefined;
  }

  private advance(running: Running, position: number): void {
    running.position = position;
    for (const waiter of running.waiters) if (position >= waiter.position) waiter.wake();
  }

  private fail(running: Running, failure: RunnerFailure, error: unknown): void {
    running.status = 'failed';
    running.failure = failure;
    this.options.onFailure?.(running.projection.name, failure, error);
    for (const waiter of running.waiters) waiter.wake();
  }

  /** LogConsumer: every projection still running now holds the log as it was when the follower began. */
  caughtUp(position: number): void {
    for (const running of this.running.values()) {
      if (running.status === 'failed' || running.position < position) continue;
      running.status = 'live';
    }
  }

  /** Drops a projection's rows and starts it again from zero: the follower then rebuilds it from the log. */
  rebuild(name: string): void {
    const running = this.runningOf(name);
    this.database.reset(running.projection);
    running.writer.forget();
    running.position = 0;
    running.status = 'rebuilding';
    delete running.failure;
  }

  /** Stops answering waiters (the follower stopped feeding). */
  stop(): void {
    for (const running of this.running.values()) {
      if (running.status !== 'failed') running.status = 'stopped';
      for (const waiter of running.waiters) waiter.wake();
    }
  }

  state(name: string): { position: number; version: number; status: RunnerStatus; failure?: RunnerFailure } {
    const running = this.runningOf(name);
    return {
      position: running.position,
      version: running.projection.version,
      status: running.status,
      ...(running.failure && { failure: running.failure }),
    };
  }

  /** Resolves true once the projection has applied `position`, false after `timeoutMs` (or once it failed). */
  waitFor(name: string, position: number, timeoutMs: number): Promise<boolean> {
    const running = this.runningOf(name);
    if (running.position >= position) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = {
        position,
        wake: () => {
          clearTimeout(timer);
          running.waiters.delete(waiter);
          resolve(running.position >= position);
        },
      };
      const timer = setTimeout(waiter.wake, timeoutMs);
      running.waiters.add(waiter);
    });
  }

  /**
   * Where each projection stands. Lag in events is counted in positions (exact on SQLite, whose
   * positions are dense); lag in seconds is how long the oldest event not yet applied has waited.
   */
  async report(store: EventStore, now: Date): Promise<ProjectionReport[]> {
    const head = await store.headPosition();
    return Promise.all(
      [...this.running.values()].map(async (running) => {
        const { position } = running;
        const [oldest] = head > position ? await store.readAllStored({ after: position, maxCount: 1 }) : [];
        const waited = oldest ? (now.getTime() - Date.parse(oldest.recordedAt)) / 1000 : 0;
        return {
          name: running.projection.name,
          version: running.projection.version,
          position,
          lagEvents: Math.max(0, head - position),
          lagSeconds: Math.max(0, Math.round(waited * 10) / 10),
          status: running.status,
          ...(running.failure && { error: running.failure }),
        };
      }),
    );
  }

  private runningOf(name: string): Running {
    const running = this.running.get(name);
    if (!running) throw new Error(`No projection ${name} runs here`);
    return running;
  }
}

const parse = (stored: StoredEvent): ProjectedEvent | { error: unknown } => {
  try {
    return toProjectedEvent(stored);
  } catch (error) {
    return { error };
  }
};
