import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeProgress, watchCatchUp } from '../application/catchUpProgress.js';
import { LogFollower } from '../application/logFollower.js';
import { jcs } from '../audit/canonical.js';
import type { Config } from '../config.js';
import { calendarDate, instant } from '../domain/shared/values.js';
import type { EventStore } from '../eventStore/eventStore.js';
import { closeLedger, openLedger, type Ledger } from '../main.js';
import { UsageError } from './commandLine.js';
import type { HelpTopic } from './usage.js';
import { openEventsReadOnly } from './readOnlyLedger.js';
import { isProjectionName, projectionNames, projections, type ProjectionName } from '../projections/catalog.js';
import { beforeFirstEventNotice, meetingsBy, timelineOn } from '../projections/businessDate.js';
import { ProjectionEngine } from '../projections/projectionEngine.js';
import { ProjectionDatabase } from '../projections/store/projectionDatabase.js';
import { wholeAgenda, wholeAttendance, wholeTimeline, wholeView } from '../projections/wholeViews.js';

type Print = (line: string) => void;

export const namesFrom = (name: string | undefined): ProjectionName[] => {
  if (name === undefined) return projectionNames;
  if (!isProjectionName(name)) throw new UsageError(`Unknown projection ${name}; known: ${projectionNames.join(', ')}`);
  return [name];
};

/** Opens the ledger from the configuration, runs `work` on it, and always closes it again. */
export const withLedger = async <T>(config: Config, work: (ledger: Ledger) => Promise<T>): Promise<T> => {
  const ledger = await openLedger(config, { catchUpOnly: true });
  try {
    return await work(ledger);
  } finally {
    await closeLedger(ledger);
  }
};

/** Feeds the ledger's projections until they hold every event in the log now. */
const catchUp = async (ledger: Ledger): Promise<void> => {
  ledger.follower.start();
  await ledger.follower.caughtUp;
};

/** Progress of a long rebuild goes to stderr: stdout keeps only the result. */
const printProgress = (line: string) => process.stderr.write(`${line}\n`);

export type RebuildOptions = {
  /** Where a line of progress goes, every `progressEveryMs` while the rebuild runs. */
  progress?: Print;
  progressEveryMs?: number;
};

/**
 * `projections rebuild [name]`: drops the projections' rows and replays the log from zero into them,
 * all of them in one read of the log. Meant for a stopped server: a running one applies the log itself.
 */
export const rebuildProjections = (
  config: Config,
  name: string | undefined,
  print: Print,
  { progress = printProgress, progressEveryMs = 5_000 }: RebuildOptions = {},
): Promise<void> =>
  withLedger(config, async (ledger) => {
    const names = namesFrom(name);
    const started = process.hrtime.bigint();
    for (const projection of names) ledger.projections.rebuild(projection);
    const source = { position: () => ledger.projections.applied(), head: () => ledger.store.headPosition() };
    const watch = await watchCatchUp(source, (p) => progress(`rebuilding: ${describeProgress(p)}`), {
      everyMs: progressEveryMs,
    });
    try {
      await catchUp(ledger);
    } finally {
      watch.stop();
    }
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    for (const projection of names) {
      const { version, position } = ledger.projections.state(projection);
      print(`rebuilt ${projection} v${version} up to position ${position}`);
    }
    print(`in ${ms.toFixed(0)} ms, one read of the log`);
  });

/** The projections a business date applies to: the agenda and the timeline (attendance has no such question yet). */
const datedNames = (name: string | undefined): ProjectionName[] => {
  const names: ProjectionName[] = name === undefined ? ['agenda', 'timeline'] : namesFrom(name);
  if (names.includes('attendance')) throw new UsageError('--at applies to the agenda and the timeline', 'replay');
  return names;
};

/**
 * `replay [--as-of <position|time>] [--at <date>] [--projection name]`: the projections exactly as the
 * ledger stood then (at the head without --as-of), as JSON; with `--at`, the agenda and timeline on that business date. Reads only:
 * from the live projection rows where they hold that position (they are temporal), else from a
 * replay of the log from zero in a scratch file. An instant before the first event says so on stderr.
 */
export const replayAsOf = async (
  config: Config,
  { asOf, at: date }: { asOf: string | undefined; at: string | undefined },
  name: string | undefined,
  print: Print,
) => {
  const businessDate = date === undefined ? undefined : parseDate(date);
  const names = businessDate === undefined ? namesFrom(name) : datedNames(name);
  const { events, close } = await openEventsReadOnly(config);
  const live = openLiveProjections(config);
  try {
    const at = await positionAsOf(events, asOf, 'replay');
    const notice = await noticeOf(events, asOf, at);
    if (notice !== undefined) process.stderr.write(`notice: ${notice}\n`);
    const behind = names.filter((n) => (live?.committed(n) ?? -1) < at);
    const dated = businessDate === undefined ? {} : { at: businessDate };
    const views = (database: ProjectionDatabase, of: readonly ProjectionName[]) =>
      Object.fromEntries(of.map((n) => [n, { position: at, ...dated, ...viewOf(n, database, at, businessDate) }]));
    const fromLive = live
      ? views(
          live.database,
          names.filter((n) => !behind.includes(n)),
        )
      : {};
    const replayed = behind.length > 0 ? await replayFromZero(events, behind, (fresh) => views(fresh, behind)) : {};
    print(JSON.stringify(Object.fromEntries(names.map((n) => [n, fromLive[n] ?? replayed[n]])), null, 2));
  } finally {
    await live?.database.close();
    await close();
  }
};

/** The data directory's projections, read only (another process may be writing them), and what each has committed. */
export const openLiveProjections = (config: Config) => {
  const file = join(config.dataDir, 'projections.sqlite');
  if (!existsSync(file)) return undefined;
  const database = new ProjectionDatabase(file, { readonly: true });
  return {
    database,
    /** The position a projection has committed, -1 when it holds nothing of this version. */
    committed: (name: ProjectionName): number => {
      const saved = database.checkpoint(name);
      return saved?.version === projections[name].version ? saved.position : -1;
    },
  };
};

/** A projection's whole answer with no filter, as its route names the parts. */
const viewOf = (name: ProjectionName, database: ProjectionDatabase, at: number, date: string | undefined): object => {
  const PAGE = 500;
  switch (name) {
    case 'agenda':
      return { meetings: [...wholeAgenda(database.reader, meetingsBy({}, date), at, PAGE)] };
    case 'attendance':
      return { participants: [...wholeAttendance(database.reader, {}, at, PAGE)] };
    case 'timeline': {
      const { entries, theatres } = wholeTimeline(database.reader, timelineOn({}, date), at, PAGE);
      return { entries: [...entries], theatres: theatres() };
    }
  }
};

/** SHA-256 of a projection's whole answer at `at`, item by item in canonical JSON: memory stays one page. */
export const viewDigest = (name: ProjectionName, database: ProjectionDatabase, at: number): string => {
  const hash = createHash('sha256');
  for (const item of wholeView(name, database.reader, at)) hash.update(`${jcs(item)}\n`);
  return hash.digest('hex');
};

/**
 * Builds fresh projections from the whole log in a temporary database, for comparing with the live
 * ones: the live rows as of any position must answer exactly as this replay from zero does.
 */
export const replayFromZero = async <T>(
  store: EventStore,
  names: readonly ProjectionName[],
  work: (database: ProjectionDatabase, engine: ProjectionEngine) => T,
): Promise<T> => {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-replay-'));
  const database = new ProjectionDatabase(join(dir, 'projections.sqlite'));
  try {
    const engine = new ProjectionEngine(database, { projections: names.map((n) => projections[n]) });
    const follower = new LogFollower(store, [engine], { stopOnFailure: true });
    follower.start();
    try {
      await follower.caughtUp;
    } finally {
      await follower.stop();
    }
    return work(database, engine);
  } finally {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
};

/**
 * The log position an --as-of names: the head when absent, a position as given, or the last event
 * recorded by an instant. A position past the head is refused, naming the head: answering the head
 * instead would present the ledger as it stands as the state at a position it never reached.
 */
export const positionAsOf = async (events: EventStore, asOf: string | undefined, topic: HelpTopic): Promise<number> => {
  const head = await events.headPosition();
  if (asOf === undefined) return head;
  if (!/^\d+$/.test(asOf)) return Math.min(head, await events.positionAt(parseInstant(asOf, topic)));
  if (Number(asOf) > head) {
    throw new UsageError(
      `--as-of ${asOf} is past the end of the log, which is at position ${head} (leave --as-of out for the head)`,
      topic,
    );
  }
  return Number(asOf);
};

/** What a reader of an --as-of instant must be told: that it precedes the first event, when it does. */
export const noticeOf = async (
  events: EventStore,
  asOf: string | undefined,
  position: number,
): Promise<string | undefined> => {
  if (asOf === undefined || /^\d+$/.test(asOf) || position > 0) return undefined;
  const [first] = await events.readAll({ maxCount: 1 });
  return first && beforeFirstEventNotice(parseInstant(asOf), first.recordedAt);
};

const parseDate = (text: string): string => {
  const parsed = calendarDate.safeParse(text);
  if (!parsed.success) throw new UsageError(`--at takes a business date YYYY-MM-DD, not ${text}`, 'replay');
  return parsed.data;
};

const parseInstant = (text: string, topic?: HelpTopic): string => {
  const parsed = instant.safeParse(text);
  if (!parsed.success)
    throw new UsageError(`--as-of takes a position or an ISO 8601 instant with an offset, not ${text}`, topic);
  return parsed.data;
};
