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
  /** Events in the log after `position`: counted, never a difference of positions. */
  lagEvents: number;
  /** Set when counting stopped at its bound: the projection is at least `lagEvents` behind. */
  lagEventsAtLeast?: true;
  lagSeconds: number;
  status: RunnerStatus;
  error?: RunnerFailure;
};

/** One projection as the engine runs it: where it stands and what waits for it. */
type Running = {
  projection: Projection;
  writer: ProjectionWriter;
  /** The last position committed: what reads see. */
  position: number;
  /** The last position applied, maybe not committed yet. */
  applied: number;
  /** Failed on an event of the open transaction: reported once it commits. */
  pendingFailure?: [RunnerFailure, unknown];
  status: RunnerStatus;
  failure?: RunnerFailure;
  waiters: Set<{ position: number; wake: () => void }>;
};

type Parsed = ProjectedEvent | { error: unknown } | undefined;

export type EngineOptions = {
  projections?: readonly Projection[];
  onFailure?: (name: string, failure: RunnerFailure, error: unknown) => void;
  /** Commit at least this often while pages keep coming (catching up), ms. */
  commitEveryMs?: number;
  /** ...and after this many events, whichever comes first. */
  commitEveryEvents?: number;
};

/**
 * Every projection of the ledger, kept as temporal rows in one database and fed by the shared log
 * follower (it is one LogConsumer). Each page is applied with each projection in its own
 * savepoint, its rows and checkpoint together, so a projection that cannot apply an event stops
 * there, reported, with nothing of that page kept, while the others go on. While catching up,
 * pages share one transaction (committed every `commitEveryMs` or `commitEveryEvents`, and as soon
 * as the log's end is reached): a commit writes every page it touched once, not once per page.
 * Reads use their own connection, so they see committed rows only.
 */
export class ProjectionEngine {
  readonly name = 'projections';
  private readonly running = new Map<string, Running>();
  private readonly statements;
  /** The open transaction: since when, and how many events it holds. */
  private open: { since: number; events: number } | undefined;
  /** Fed at least once: a rebuild would then be missed by a follower already past its start. */
  private fed = false;

  constructor(
    readonly database: ProjectionDatabase,
    private readonly options: EngineOptions = {},
  ) {
    const db = database.db;
    this.statements = { begin: db.prepare('BEGIN'), commit: db.prepare('COMMIT'), rollback: db.prepare('ROLLBACK') };
    for (const projection of options.projections ?? allProjections) {
      const position = database.install(projection);
      this.running.set(projection.name, {
        projection,
        writer: projection.writer(db),
        position,
        applied: position,
        status: position === 0 ? 'rebuilding' : 'catching-up',
        waiters: new Set(),
      });
    }
  }

  /** LogConsumer: the lowest committed position among projections still running. */
  position(): number {
    return this.lowest('position');
  }

  /** The lowest position applied among projections still running, committed or in the open transaction: progress to report. */
  applied(): number {
    return this.lowest('applied');
  }

  private lowest(field: 'position' | 'applied'): number {
    const positions = [...this.running.values()].filter((r) => r.status !== 'failed').map((r) => r[field]);
    return positions.length === 0 ? 0 : Math.min(...positions);
  }

  active(): boolean {
    return [...this.running.values()].some((r) => r.status !== 'failed' && r.status !== 'stopped');
  }

  /** LogConsumer: applies a page to every projection behind it; commits when the open transaction is old or big enough. */
  apply(page: readonly StoredEvent[]): void {
    this.fed = true;
    const last = page.at(-1)?.position;
    if (last === undefined) return;
    const behind = [...this.running.values()].filter(
      (r) => r.status !== 'failed' && !r.pendingFailure && r.applied < last,
    );
    if (behind.length === 0) return;
    const parsed = new Array<Parsed>(page.length);
    this.open ??= this.begin();
    try {
      for (const running of behind) {
        const failure = this.applyTo(running, page, parsed);
        if (failure) running.pendingFailure = failure;
        else {
          this.database.saveCheckpoint(running.projection.name, running.projection.version, last);
          running.applied = last;
        }
      }
    } catch (error) {
      this.abandon();
      throw error;
    }
    this.open.events += page.length;
    const { commitEveryMs = 250, commitEveryEvents = 20_000 } = this.options;
    if (this.open.events >= commitEveryEvents || Date.now() - this.open.since >= commitEveryMs) this.idle();
  }

  /**
   * LogConsumer: with the write-ahead log past its bound, commits and answers a wait for its copy
   * back into the database; the follower reads no further until then.
   */
  backpressure(): Promise<void> | undefined {
    if (!this.database.walOverBound()) return undefined;
    this.idle();
    return this.database.walSettled();
  }

  /** LogConsumer: commits what it applied; reads and waiters then see it. */
  idle(): void {
    if (!this.open) return;
    try {
      this.statements.commit.run();
    } catch (error) {
      this.abandon();
      throw error;
    }
    this.open = undefined;
    for (const running of this.running.values()) {
      this.advance(running, running.applied);
      if (running.pendingFailure) this.fail(running, ...running.pendingFailure);
    }
  }

  private begin(): { since: number; events: number } {
    this.statements.begin.run();
    return { since: Date.now(), events: 0 };
  }

  /** Rolls back the open transaction: every projection stands where it last committed, and is fed again from there. */
  private abandon(): void {
    if (this.database.db.inTransaction) this.statements.rollback.run();
    this.open = undefined;
    for (const running of this.running.values()) {
      running.writer.forget();
      running.applied = running.position;
      delete running.pendingFailure;
    }
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
      if (stored.position <= running.applied || !handles(running.projection, stored.type)) continue;
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
    if (position === running.position) return;
    running.position = position;
    for (const waiter of running.waiters) if (position >= waiter.position) waiter.wake();
  }

  private fail(running: Running, failure: RunnerFailure, error: unknown): void {
    delete running.pendingFailure;
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

  /**
   * Takes each projection up where its checkpoint now stands, after another connection (a catch-up
   * worker) applied the log to the same database while this engine was not fed: positions, status and
   * waiters follow the checkpoints; nothing cached of the rows before is kept. Before feeding only.
   */
  reload(): void {
    if (this.fed) throw new Error('Projections are reloaded before their follower starts, never while it feeds them');
    for (const running of this.running.values()) {
      const saved = this.database.checkpoint(running.projection.name);
      const position = saved?.version === running.projection.version ? saved.position : 0;
      running.writer.forget();
      running.applied = position;
      running.status = position === 0 ? 'rebuilding' : 'catching-up';
      this.advance(running, position);
    }
  }

  /** Drops a projection's rows and starts it again from zero: the follower then rebuilds it from the log. */
  rebuild(name: string): void {
    if (this.fed) throw new Error('A projection is rebuilt before its follower starts, never while it is fed');
    this.restart(this.runningOf(name));
  }

  /**
   * LogConsumer: the log no longer holds what the projections were built from (restored from an
   * older copy). Every projection starts again from zero; the follower that calls this then reads
   * from zero, and reads say `projection-rebuilding` until they are back, never the old answers.
   */
  reset(): undefined {
    this.abandon();
    for (const running of this.running.values()) this.restart(running);
    return undefined;
  }

  private restart(running: Running): void {
    this.database.reset(running.projection);
    running.writer.forget();
    running.position = 0;
    running.applied = 0;
    running.status = 'rebuilding';
    delete running.failure;
    delete running.pendingFailure;
  }

  /** Commits what it holds and stops answering waiters (the follower stopped feeding). */
  stop(): void {
    if (this.database.db.open) this.idle();
    for (const running of this.running.values()) {
      if (running.status !== 'failed') running.status = 'stopped';
      for (const waiter of running.waiters) waiter.wake();
    }
  }

  /** The projections that cannot serve whatever their lag (failed, or rebuilding from zero), known without reading the log. */
  unready(): { name: string; status: RunnerStatus }[] {
    return [...this.running.values()]
      .filter((r) => r.status === 'failed' || r.status === 'rebuilding')
      .map((r) => ({ name: r.projection.name, status: r.status }));
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
   * Where each projection stands. Lag in events is counted by the store (positions are offsets on
   * EventStoreDB and may skip on PostgreSQL), up to `countUpTo` events: a projection further behind is
   * reported at that bound with `lagEventsAtLeast`, so a report never reads more than that much of
   * the log. Lag in seconds is how long the oldest event not yet applied has waited.
   */
  async report(
    store: EventStore,
    now: Date,
    { countUpTo = 10_000 }: { countUpTo?: number } = {},
  ): Promise<ProjectionReport[]> {
    // Projections mostly stand at the same position: count once per position.
    const counts = new Map<number, Promise<number>>();
    const countAfter = (position: number) => {
      let count = counts.get(position);
      if (!count) counts.set(position, (count = store.countEventsAfter(position, countUpTo)));
      return count;
    };
    return Promise.all(
      [...this.running.values()].map(async (running) => {
        const { position } = running;
        const lagEvents = await countAfter(position);
        const [oldest] = lagEvents > 0 ? await store.readAllStored({ after: position, maxCount: 1 }) : [];
        const waited = oldest ? (now.getTime() - Date.parse(oldest.recordedAt)) / 1000 : 0;
        return {
          name: running.projection.name,
          version: running.projection.version,
          position,
          lagEvents,
          ...(lagEvents >= countUpTo && { lagEventsAtLeast: true }),
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
