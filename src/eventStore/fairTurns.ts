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
  private waiting: (() => void)[] = [];
  private head = 0;
  private scheduled = false;

  next(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(this.give);
    });
  }

  /** Resumes the longest waiting; its page runs in the microtasks right after this callback. */
  private readonly give = (): void => {
    const resume = this.waiting[this.head];
    this.waiting[this.head] = undefined as unknown as () => void;
    this.head += 1;
    if (this.head === this.waiting.length) {
      this.waiting = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.waiting.length) {
      this.waiting = this.waiting.slice(this.head);
      this.head = 0;
    }
    this.scheduled = this.waiting.length > this.head;
    if (this.scheduled) setImmediate(this.give);
    resume?.();
  };
}

const turns = new Turns();

/**
 * Lets the event loop serve requests and timers before the caller goes on: SQLite reads resolve at
 * once and would starve it. Callers resume one per turn of the loop (see Turns).
 */
export const yieldToEventLoop = (): Promise<void> => turns.next();
