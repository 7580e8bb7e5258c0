import { describe, expect, it } from 'vitest';
import { AppendSignal } from '../../src/eventStore/appendSignal.js';
import { catchUpLog, catchUpSubscription } from '../../src/eventStore/catchUpSubscription.js';
import { StoreUnavailable } from '../../src/eventStore/errors.js';
import type { StoredEvent } from '../../src/eventStore/eventStore.js';
import { SubscriptionProbe } from './subscriptionProbe.js';

const stored = (position: number): StoredEvent => ({
  eventId: `event-${position}`,
  streamId: 'meeting-1',
  revision: position - 1,
  position,
  type: 'OutcomeRecorded',
  data: '{}',
  metadata: '{}',
  recordedAt: '2017-07-13T13:00:00.000Z',
});

/** A log in memory whose reads can be made to fail, as a database that restarts does. */
const flakyLog = () => {
  const events = [1, 2, 3].map(stored);
  const state = { failuresLeft: 0, reads: 0 };
  const signal = new AppendSignal();
  return {
    state,
    signal,
    append: (position: number) => {
      events.push(stored(position));
      signal.notify();
    },
    source: {
      signal,
      pollMs: 60_000,
      readAllStored: async ({ after, maxCount }: { after: number; maxCount: number }) => {
        state.reads += 1;
        if (state.failuresLeft > 0) {
          state.failuresLeft -= 1;
          throw new StoreUnavailable('down for a moment', 0);
        }
        return events.filter((e) => e.position > after).slice(0, maxCount);
      },
    },
  };
};

describe('a catch-up subscription', () => {
  it('waits out a store that is unavailable and goes on from where it was, losing and repeating nothing', async () => {
    // Given a log whose first two reads fail
    const log = flakyLog();
    log.state.failuresLeft = 2;
    // When a subscription starts
    const subscription = catchUpSubscription(log.source, 0);
    const probe = new SubscriptionProbe(subscription);
    try {
      await probe.caughtUp();
      expect(probe.events().map((e) => e.position)).toEqual([1, 2, 3]);
      // And the store fails again while it is live
      log.state.failuresLeft = 1;
      log.append(4);
      log.append(5);
      await probe.until((p) => p.events().length === 5, 'the live events after the failure', 5_000);
      // Then it delivered every event once, in order
      expect(probe.events().map((e) => e.position)).toEqual([1, 2, 3, 4, 5]);
      expect(log.state.reads).toBeGreaterThanOrEqual(5);
    } finally {
      await subscription.unsubscribe();
    }
  });

  it('ends with the error when a read fails for another reason than an unavailable store', async () => {
    const log = flakyLog();
    log.source.readAllStored = async () => {
      throw new TypeError('a bug');
    };
    const subscription = catchUpSubscription(log.source, 0);
    await expect(subscription[Symbol.asyncIterator]().next()).rejects.toThrow('a bug');
  });

  it('reads full pages on without yielding until a slice of time has passed, then yields to the event loop', async () => {
    // Given a log of ten pages of five events, and a clock each page's work moves on 3 ms
    const events = Array.from({ length: 50 }, (_, i) => stored(i + 1));
    let clock = 0;
    const source = {
      signal: new AppendSignal(),
      pollMs: 60_000,
      sliceMs: 8,
      now: () => clock,
      readAllStored: async ({ after, maxCount }: { after: number; maxCount: number }) =>
        events.filter((e) => e.position > after).slice(0, maxCount),
    };
    // And a count of the event loop's turns
    let turns = 0;
    let counting = true;
    const count = () => {
      turns += 1;
      if (counting) setImmediate(count);
    };
    setImmediate(count);
    // When the log is read through
    const turnOfPage: number[] = [];
    const subscription = catchUpLog(source, 0, 5);
    try {
      for await (const message of subscription) {
        if (message.type !== 'events') break;
        turnOfPage.push(turns);
        clock += 3;
      }
    } finally {
      counting = false;
      await subscription.unsubscribe();
    }
    // Then three pages (9 ms) go in one turn, and the next three in a later one
    expect(turnOfPage).toHaveLength(10);
    const runs = turnOfPage.reduce<number[]>((sizes, turn, i) => {
      if (i > 0 && turn === turnOfPage[i - 1]) sizes[sizes.length - 1]! += 1;
      else sizes.push(1);
      return sizes;
    }, []);
    expect(runs).toEqual([3, 3, 3, 1]);
  });
});
