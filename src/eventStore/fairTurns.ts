/**
 * Turns of the event loop for long work done a page at a time (catch-ups, folds, exports, history
 * streams, verification), handed out one per turn, first come first served.
 *
 * Why not setImmediate alone: Node runs every immediate queued before a turn's check phase in that
 * phase, back to back. Ten folds that each yield with setImmediate run ten pages in one turn, so a
 * request waits behind all of them, and the wait grows with the number of clients. Here each waiter
 * resumes in a turn of its own, with the loop's I/O (requests, responses) handled between any two
 * pages: what a request waits behind is one page, however many run. One piece of work alone gets a
 * turn for each page as before.
 */
class Turns {
  /** Who waits, longest first. An immediate that resumes the first is pending exactly while it is not empty. */
  private readonly waiting: (() => void)[] = [];

  next(): Promise<void> {
    return new Promise((resolve) => {
      if (this.waiting.push(resolve) === 1) setImmediate(this.give);
    });
  }

  /** Resumes the longest waiting; its page runs in the microtasks right after this callback. */
  private readonly give = (): void => {
    const resume = this.waiting.shift();
    if (this.waiting.length > 0) setImmediate(this.give);
    resume?.();
  };
}

const turns = new Turns();

/**
 * Lets the event loop serve requests and timers before the caller goes on: SQLite reads resolve at
 * once and would starve it. Callers resume one per turn of the loop (see Turns).
 */
export const yieldToEventLoop = (): Promise<void> => turns.next();
