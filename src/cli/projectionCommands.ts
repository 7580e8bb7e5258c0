import type { Config } from '../config.js';
import { instant } from '../domain/shared/values.js';
import { closeLedger, openLedger, type Ledger } from '../main.js';
import { queryAgenda, type AgendaState } from '../projections/agenda.js';
import { queryAttendance, type AttendanceState } from '../projections/attendance.js';
import { isProjectionName, projectionNamed, projectionNames, type ProjectionName } from '../projections/catalog.js';
import { replay } from '../projections/replay.js';
import { queryTimeline, type TimelineState } from '../projections/timeline.js';

type Print = (line: string) => void;

/** A mistake on the command line: the CLI prints it with the usage and exits 2. */
export class UsageError extends Error {}

const namesFrom = (name: string | undefined): ProjectionName[] => {
  if (name === undefined) return projectionNames;
  if (!isProjectionName(name)) throw new UsageError(`Unknown projection ${name}; known: ${projectionNames.join(', ')}`);
  return [name];
};

/** A projection's whole view of a state: what its route answers with no filter. */
const viewOf = (name: ProjectionName, state: unknown): object => {
  switch (name) {
    case 'agenda':
      return { meetings: queryAgenda(state as AgendaState, {}) };
    case 'attendance':
      return { participants: queryAttendance(state as AttendanceState, {}) };
    case 'timeline':
      return queryTimeline(state as TimelineState, {});
  }
};

/** Opens the ledger from the configuration, runs `work` on it, and always closes it again. */
export const withLedger = async <T>(config: Config, work: (ledger: Ledger) => Promise<T>): Promise<T> => {
  const ledger = await openLedger(config);
  try {
    return await work(ledger);
  } finally {
    await closeLedger(ledger);
  }
};

/**
 * `projections rebuild [name]`: replays the log from zero and saves the result as the projection's
 * state and checkpoint. Meant for a stopped server: a running one keeps saving its own state.
 */
export const rebuildProjections = (config: Config, name: string | undefined, print: Print): Promise<void> =>
  withLedger(config, async (ledger) => {
    for (const projectionName of namesFrom(name)) {
      const projection = projectionNamed(projectionName);
      const started = process.hrtime.bigint();
      const { state, position } = await replay(ledger.store, projection);
      await ledger.snapshots.save({
        name: projection.name,
        version: projection.version,
        position,
        stateJson: JSON.stringify(state),
      });
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      print(`rebuilt ${projection.name} v${projection.version} up to position ${position} in ${ms.toFixed(0)} ms`);
    }
  });

/** `replay --as-of <position|time> [--projection name]`: the projections exactly as the ledger stood then, as JSON. */
export const replayAsOf = (config: Config, asOf: string, name: string | undefined, print: Print): Promise<void> =>
  withLedger(config, async (ledger) => {
    const until = await positionAsOf(ledger, asOf);
    const result: Record<string, object> = {};
    for (const projectionName of namesFrom(name)) {
      const { state, position } = await replay(ledger.store, projectionNamed(projectionName), until);
      result[projectionName] = { position, ...viewOf(projectionName, state) };
    }
    print(JSON.stringify(result, null, 2));
  });

/** The log position an --as-of names: a position as given, or the last event recorded by an instant. */
export const positionAsOf = async (ledger: Ledger, asOf: string): Promise<number> =>
  /^\d+$/.test(asOf) ? Number(asOf) : ledger.store.positionAt(parseInstant(asOf));

const parseInstant = (text: string): string => {
  const parsed = instant.safeParse(text);
  if (!parsed.success)
    throw new UsageError(`--as-of takes a position or an ISO 8601 instant with an offset, not ${text}`);
  return parsed.data;
};
