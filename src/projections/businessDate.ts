/**
 * The business-date question (`at=YYYY-MM-DD`): the projections as they stood on a day of the
 * meetings' own calendar, not at a moment of the ledger's recording (that is `asOf`). It only narrows
 * the ranges the readers already scan by their indexes (timeline entries by date, meetings by start),
 * so it costs what it reads, never a replay.
 */

/** The day after a calendar date, or undefined after 9999-12-31 (then there is no bound). */
export const dayAfter = (date: string): string | undefined => {
  const next = new Date(Date.parse(`${date}T00:00:00.000Z`) + 86_400_000).toISOString();
  return /^\d{4}-/.test(next) ? next.slice(0, 10) : undefined;
};

/** The tighter of two exclusive upper bounds that compare as text. */
const earlier = (a: string | undefined, b: string | undefined): string | undefined =>
  a === undefined ? b : b === undefined ? a : a < b ? a : b;

/**
 * The timeline on `date`: entries whose business date (the day an outcome occurred, else its
 * meeting's start day in UTC) is on or before it, and each theatre at its stage of that day.
 */
export const timelineOn = <Q extends { to?: string | undefined }>(query: Q, date: string | undefined): Q =>
  date === undefined ? query : { ...query, to: earlier(query.to, dayAfter(date)) };

/** Meetings by `date`: those that started on or before that day (UTC), however they stand now. */
export const meetingsBy = <Q extends { to?: string | undefined }>(query: Q, date: string | undefined): Q => {
  if (date === undefined) return query;
  const after = dayAfter(date);
  return { ...query, to: earlier(query.to, after === undefined ? undefined : `${after}T00:00:00.000Z`) };
};

/**
 * Said when an `asOf` instant precedes the first event: the answer is position 0, nothing recorded
 * yet, which a reader asking about meeting dates would otherwise take for an empty ledger.
 */
export const beforeFirstEventNotice = (asOf: string, firstRecordedAt: string): string =>
  `asOf ${asOf} is before the first event this ledger recorded (${firstRecordedAt}): nothing was recorded yet, so this is position 0. asOf is recording time; for the meetings' own dates ask for a business date (at=YYYY-MM-DD; --at on the CLI)`;
