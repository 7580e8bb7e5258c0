import type { EventStore, RecordedEvent, Subscription } from '../eventStore/eventStore.js';
import { handles, type Projection } from './projection.js';
import { toProjectedEvent } from './projectedEvent.js';
import type { ProjectionStore } from './projectionStore.js';

export type RunnerStatus = 'catching-up' | 'live' | 'rebuilding' | 'failed' | 'stopped';
/** Where one subscription of a runner has got to. */
type Following<S> = { state: S; position: number; rebuilding: boolean };

export type RunnerFailure = { position: number; eventType: string; message: string };

export type RunnerOptions = {
  /** Save state and checkpoint at least this often while events arrive (ms). */
  saveEveryMs?: number;
  /** ...and after this many events, whichever comes first. */
  saveEveryEvents?: number;
  onFailure?: (name: string, failure: RunnerFailure, error: unknown) => void;
};

type Answering<S> = { state: S; position: number; version: number };

/**
 * Feeds one projection from the store's catch-up subscription and checkpoints it: state and position
 * are saved together, so after a crash it resumes exactly after the last saved event. A projection
 * whose version changed is rebuilt from zero in the background while the saved (older) state keeps
 * answering, then swapped in. An event the projection cannot apply stops it there, reported.
 */
export class ProjectionRunner<S> {
  private answering: Answering<S>;
  private statusValue: RunnerStatus = 'catching-up';
  private failure: RunnerFailure | undefined;
  private subscription: Subscription | undefined;
  private following: Promise<void> | undefined;
  private readonly waiters = new Set<{ position: number; wake: () => void }>();
  private unsaved = 0;
  private lastSave = Date.now();
  private saveTimer: NodeJS.Timeout | undefined;
  private readonly saveEveryMs: number;
  private readonly saveEveryEvents: number;

  constructor(
    readonly projection: Projection<S>,
    private readonly events: EventStore,
    private readonly snapshots: ProjectionStore,
    private readonly options: RunnerOptions = {},
  ) {
    this.answering = { state: projection.initialState(), position: 0, version: projection.version };
    this.saveEveryMs = options.saveEveryMs ?? 1_000;
    this.saveEveryEvents = options.saveEveryEvents ?? 10_000;
  }

  get status(): RunnerStatus {
    return this.statusValue;
  }

  get error(): RunnerFailure | undefined {
    return this.failure;
  }

  /** What reads see: the state, the last position it reflects, and the version that built it. */
  current(): Readonly<Answering<S>> {
    return this.answering;
  }

  async start(): Promise<void> {
    const saved = await this.snapshots.load(this.projection.name);
    if (saved?.version === this.projection.version) {
      this.answering = { state: JSON.parse(saved.stateJson) as S, position: saved.position, version: saved.version };
      this.follow(this.answering.state, saved.position, false);
    } else if (saved) {
      this.answering = { state: JSON.parse(saved.stateJson) as S, position: saved.position, version: saved.version };
      this.statusValue = 'rebuilding';
      this.follow(this.projection.initialState(), 0, true);
    } else {
      this.follow(this.answering.state, 0, false);
    }
  }

  /** Resolves true once the answering state reflects `position`, false after `timeoutMs`. */
  waitFor(position: number, timeoutMs: number): Promise<boolean> {
    if (this.answering.position >= position) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = {
        position,
        wake: () => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(this.answering.position >= position);
        },
      };
      const timer = setTimeout(waiter.wake, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  async stop(): Promise<void> {
    await this.subscription?.unsubscribe();
    await this.following;
    clearTimeout(this.saveTimer);
    if (this.statusValue !== 'failed' && this.statusValue !== 'rebuilding') await this.save();
    if (this.statusValue !== 'failed') this.statusValue = 'stopped';
    for (const waiter of this.waiters) waiter.wake();
  }

  private follow(initial: S, from: number, rebuilding: boolean): void {
    const subscription = this.events.subscribeToAll({ after: from });
    this.subscription = subscription;
    const run: Following<S> = { state: initial, position: from, rebuilding };
    this.following = this.consume(subscription, run)
      // The log could not be read for a reason other than an unavailable store (which the
      // subscription waits out): stop and say so, as for an event that cannot be applied.
      .catch((error: unknown) =>
        this.fail(
          { position: run.position, eventType: '(reading the log)', message: String(error) },
          error,
          run.rebuilding,
        ),
      )
      .catch(() => undefined);
  }

  private async consume(subscription: Subscription, run: Following<S>): Promise<void> {
    for await (const message of subscription) {
      if (message.type === 'caughtUp') {
        if (run.rebuilding) {
          run.rebuilding = false;
          this.publish(run.state, run.position);
          await this.save(true);
        }
        this.statusValue = 'live';
      } else if (!(await this.apply(message.event, run))) return;
    }
  }

  /** Folds one event into the run's state; false once the projection failed on it and stopped. */
  private async apply(recorded: RecordedEvent, run: Following<S>): Promise<boolean> {
    if (handles(this.projection, recorded.type)) {
      try {
        run.state = this.projection.evolve(run.state, toProjectedEvent(recorded));
      } catch (error) {
        const failure = { position: recorded.position, eventType: recorded.type, message: String(error) };
        await this.fail(failure, error, run.rebuilding);
        return false;
      }
    }
    run.position = recorded.position;
    if (!run.rebuilding) this.advance(run.state, run.position);
    return true;
  }

  /** Makes `state` the one reads see, and answers every reader that was waiting for it. */
  private publish(state: S, position: number): void {
    this.answering = { state, position, version: this.projection.version };
    for (const waiter of this.waiters) if (position >= waiter.position) waiter.wake();
  }

  private advance(state: S, position: number): void {
    this.publish(state, position);
    this.unsaved += 1;
    if (this.unsaved >= this.saveEveryEvents || Date.now() - this.lastSave >= this.saveEveryMs) void this.save();
    else this.saveTimer ??= setTimeout(() => void this.save(), this.saveEveryMs);
  }

  private async save(force = false): Promise<void> {
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    if (!force && this.unsaved === 0) return;
    const { state, position, version } = this.answering;
    // Serialised now, before any await: the state object keeps evolving in place after this line.
    const stateJson = JSON.stringify(state);
    const unsaved = this.unsaved;
    this.unsaved = 0;
    this.lastSave = Date.now();
    try {
      await this.snapshots.save({ name: this.projection.name, version, position, stateJson });
    } catch {
      // The snapshot store is away for a moment (a database restarting): the state is still in memory
      // and answering; keep it unsaved so the next save, one period later, tries again. A snapshot only
      // saves a replay; losing one never loses an event.
      this.unsaved += unsaved;
      this.saveTimer ??= setTimeout(() => void this.save(), this.saveEveryMs);
    }
  }

  private async fail(failure: RunnerFailure, error: unknown, rebuilding: boolean): Promise<void> {
    this.failure = failure;
    this.statusValue = 'failed';
    clearTimeout(this.saveTimer);
    this.options.onFailure?.(this.projection.name, failure, error);
    if (!rebuilding) {
      // The state may be half-changed by the evolve that threw: answer from the last saved pair instead.
      const saved = await this.snapshots.load(this.projection.name);
      this.answering =
        saved?.version === this.projection.version
          ? { state: JSON.parse(saved.stateJson) as S, position: saved.position, version: saved.version }
          : { state: this.projection.initialState(), position: 0, version: this.projection.version };
    }
    await this.subscription?.unsubscribe();
  }
}
