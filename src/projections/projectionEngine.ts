import type { EventStore } from '../eventStore/eventStore.js';
import { projections, type ProjectionName } from './catalog.js';
import type { Projection } from './projection.js';
import { ProjectionRunner, type RunnerFailure, type RunnerOptions, type RunnerStatus } from './projectionRunner.js';
import type { ProjectionStore } from './projectionStore.js';

type Runners = { [K in ProjectionName]: ProjectionRunner<ReturnType<(typeof projections)[K]['initialState']>> };

export type ProjectionReport = {
  name: string;
  version: number;
  answeringVersion: number;
  position: number;
  lagEvents: number;
  lagSeconds: number;
  status: RunnerStatus;
  error?: RunnerFailure;
};

/** All projections of the ledger, each with its runner, started and stopped together. */
export class ProjectionEngine {
  readonly runners: Runners;

  constructor(
    private readonly events: EventStore,
    private readonly snapshots: ProjectionStore,
    options: RunnerOptions = {},
  ) {
    const run = <S>(projection: Projection<S>) => new ProjectionRunner(projection, events, snapshots, options);
    this.runners = {
      agenda: run(projections.agenda),
      attendance: run(projections.attendance),
      timeline: run(projections.timeline),
    };
  }

  private get all(): ProjectionRunner<unknown>[] {
    return Object.values(this.runners) as ProjectionRunner<unknown>[];
  }

  async start(): Promise<void> {
    await Promise.all(this.all.map((runner) => runner.start()));
  }

  /** Stops every runner, saving what each has applied, and closes the snapshot store. */
  async stop(): Promise<void> {
    await Promise.all(this.all.map((runner) => runner.stop()));
    await this.snapshots.close();
  }

  /**
   * Where each projection stands. Lag in events is counted in positions (exact on SQLite, whose
   * positions are dense); lag in seconds is how long the oldest event not yet applied has waited.
   */
  async report(now: Date): Promise<ProjectionReport[]> {
    const head = await this.events.headPosition();
    return Promise.all(
      this.all.map(async (runner) => {
        const { position, version } = runner.current();
        const [oldest] = head > position ? await this.events.readAll({ after: position, maxCount: 1 }) : [];
        const waited = oldest ? (now.getTime() - Date.parse(oldest.recordedAt)) / 1000 : 0;
        return {
          name: runner.projection.name,
          version: runner.projection.version,
          answeringVersion: version,
          position,
          lagEvents: Math.max(0, head - position),
          lagSeconds: Math.max(0, Math.round(waited * 10) / 10),
          status: runner.status,
          ...(runner.error && { error: runner.error }),
        };
      }),
    );
  }
}
