import { afterEach, beforeEach, describe } from 'vitest';
import type { EventStore, Subscription } from '../../src/eventStore/eventStore.js';
import { appendingContract } from './contract/appending.js';
import { batchesContract } from './contract/batches.js';
import { concurrencyContract } from './contract/concurrency.js';
import { idempotencyContract } from './contract/idempotency.js';
import { readingContract } from './contract/reading.js';
import { subscriptionContract } from './contract/subscriptions.js';
import type { ContractContext } from './contractFixtures.js';

export type EventStoreUnderTest = { store: EventStore; teardown: () => Promise<void> };

/**
 * The EventStore contract, run unchanged against every adapter. `factory` is called before each test
 * and `teardown` after it; it may hand out one shared store whose log is not empty and holds other
 * writers' events, so no test assumes where positions start: each works on streams of its own and
 * compares against the head it read when it began.
 */
export const eventStoreContract = (
  name: string,
  factory: () => Promise<EventStoreUnderTest>,
  suite: (name: string, body: () => void) => void = describe,
): void => {
  suite(`${name} honours the EventStore contract`, () => {
    let underTest: EventStoreUnderTest | undefined;
    let subscriptions: Subscription[] = [];

    beforeEach(async () => {
      underTest = await factory();
    });

    afterEach(async () => {
      const open = subscriptions;
      subscriptions = [];
      try {
        await Promise.all(open.map((subscription) => subscription.unsubscribe()));
      } finally {
        await underTest?.teardown();
        underTest = undefined;
      }
    });

    const context: ContractContext = {
      store: () => {
        if (!underTest) throw new Error('The store under test is only available inside a test');
        return underTest.store;
      },
      subscribe: (after) => {
        const subscription = context.store().subscribeToAll({ after });
        subscriptions.push(subscription);
        return subscription;
      },
    };

    appendingContract(context);
    batchesContract(context);
    readingContract(context);
    idempotencyContract(context);
    subscriptionContract(context);
    concurrencyContract(context);
  });
};
