/**
 * How far a catch-up of the projections has come: what a person waiting for a rebuild of a long
 * ledger (the CLI, or a server starting cold) is told every so often, instead of nothing for a
 * minute. Positions, not events: on SQLite and PostgreSQL a position is about one event, on
 * EventStoreDB an offset in its log, so the share and the rate are of positions either way.
 */
export type CatchUpProgress = {
  /** The lowest position the projections being caught up have applied. */
  position: number;
  /** The log's head when the catch-up began: the target. */
  head: number;
  /** Of the positions from the start of the catch-up to the head, how many are done, in percent. */
  percent: number;
  /** Positions committed per second since the catch-up began. */
  perSecond: number;
  /** At that rate, seconds until the head (absent before any progress). */
  secondsLeft?: number;
};

/** What the meter reads: where the projections stand and the log's head. */
export type ProgressSource = { position: () => number; head: () => Promise<number> };

export type ProgressOptions = {
  /** How often progress is reported, ms. */
  everyMs: number;
  /** Milliseconds from some fixed point (tests drive it by hand). */
  now?: () => number;
};

/** The progress of a catch-up that began at `from` (position) at `startedMs`, seen at `position` at `nowMs`. */
export const progressAt = (
  { from, head, startedMs }: { from: number; head: number; startedMs: number },
  position: number,
  nowMs: number,
): CatchUpProgress => {
  const span = Math.max(head - from, 1);
  const done = Math.min(Math.max(position - from, 0), span);
  const seconds = Math.max(nowMs - startedMs, 1) / 1000;
  const perSecond = done / seconds;
  return {
    position,
    head,
    percent: Math.floor((done / span) * 100),
    perSecond: Math.round(perSecond),
    ...(perSecond > 0 && { secondsLeft: Math.ceil((span - done) / perSecond) }),
  };
};

/** One line for a person: "position 412000 of 1051423 (39%), 17100 a second, about 37 s left". */
export const describeProgress = (progress: CatchUpProgress): string => {
  const left = progress.secondsLeft === undefined ? '' : `, about ${progress.secondsLeft} s left`;
  return `position ${progress.position} of ${progress.head} (${progress.percent}%), ${progress.perSecond} a second${left}`;
};

/**
 * Reports the progress of a catch-up every `everyMs` until `stop()` (or until the position reaches
 * the head it began with). The head is read once, at the start: events appended meanwhile are
 * applied too, but do not move the target. Its timer never keeps the process alive.
 */
export const watchCatchUp = async (
  source: ProgressSource,
  report: (progress: CatchUpProgress) => void,
  { everyMs, now = () => performance.now() }: ProgressOptions,
): Promise<{ stop: () => void }> => {
  const start = { from: source.position(), head: await source.head(), startedMs: now() };
  if (start.from >= start.head) return { stop: () => undefined };
  const timer = setInterval(() => {
    const position = source.position();
    if (position >= start.head) return clearInterval(timer);
    report(progressAt(start, position, now()));
  }, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
};
