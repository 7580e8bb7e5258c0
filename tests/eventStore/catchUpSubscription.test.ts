import { describe, expect, it } from 'vitest';
import { AppendSignal } from '../../src/eventStore/appendSignal.js';
import { catchUpSubscription } from '../../src/eventStore/catchUpSubscription.js';
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
});
