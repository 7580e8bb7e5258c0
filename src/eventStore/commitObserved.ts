import type { AppendResult, CommitObserved, NewEvent } from './eventStore.js';

/** What became of one append of a group commit. */
export type AppendOutcome = { ok: AppendResult } | { error: unknown };

/** A group commit as an observer sees it: its appends, the events of those that succeeded, its time since `began` (performance.now()). */
export const commitObserved = (
  batch: readonly { events: readonly NewEvent[] }[],
  outcomes: readonly AppendOutcome[],
  began: number,
): CommitObserved => {
  let events = 0;
  batch.forEach((pending, i) => {
    const outcome = outcomes[i];
    if (outcome && 'ok' in outcome) events += pending.events.length;
  });
  return { appends: batch.length, events, seconds: (performance.now() - began) / 1000 };
};
