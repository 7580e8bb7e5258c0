import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type {
  CommitObserved,
  EventStore,
  NewEvent,
  RecordedEvent,
  Subscription,
} from '../../src/eventStore/eventStore.js';

/** What each section of the contract gets: the store of the running test, fresh from the adapter's factory. */
export type ContractContext = {
  store: () => EventStore;
  /** Subscribes to the log after `after`; the subscription is ended after the test, whatever happened. */
  subscribe: (after: number) => Subscription;
};

/** A stream name no other test, nor another run against a shared server, uses. */
export const uniqueStream = (label: string): string => `${label}-${randomUUID()}`;

/** An event with a fresh UUID (EventStoreDB wants UUIDs as event ids). */
export const newEvent = (
  type = 'ContractTested',
  data: unknown = {},
  metadata: Record<string, unknown> = {},
): NewEvent => ({
  eventId: randomUUID(),
  type,
  data,
  metadata,
});

export const newEvents = (count: number, type = 'ContractTested'): NewEvent[] =>
  Array.from({ length: count }, (_, index) => newEvent(type, { index }));

/** The events of `streams` only: a shared log may hold anyone's events between ours. */
export const ours = <E extends Pick<RecordedEvent, 'streamId'>>(events: readonly E[], ...streams: string[]): E[] =>
  events.filter((event) => streams.includes(event.streamId));

/** The error `promise` rejects with; fails the test if it resolves. */
export const rejectionOf = async (promise: Promise<unknown>): Promise<unknown> => {
  let resolved: unknown;
  try {
    resolved = await promise;
  } catch (error) {
    return error;
  }
  throw new Error(`Expected a rejection, but it resolved with ${JSON.stringify(resolved)}`);
};

export const expectStrictlyIncreasing = (numbers: readonly number[]): void => {
  numbers.slice(1).forEach((value, index) => expect(value).toBeGreaterThan(numbers[index]!));
};

export const range = (from: number, count: number): number[] => Array.from({ length: count }, (_, i) => from + i);

/**
 * What a group-committing adapter tells its commit observer: an append alone, then three that
 * arrive together (one refused, one of no events) in one commit of three appends and two events.
 */
export const expectCommitsObserved = async (store: EventStore, commits: readonly CommitObserved[]): Promise<void> => {
  const taken = uniqueStream('taken');
  await store.appendToStream(taken, newEvents(1));
  await Promise.allSettled([
    store.appendToStream(uniqueStream('two'), newEvents(2)),
    store.appendToStream(taken, newEvents(3), { expectedRevision: 'no_stream' }), // refused: writes nothing
    store.appendToStream(uniqueStream('none'), []),
  ]);
  expect(commits.map(({ appends, events }) => ({ appends, events }))).toEqual([
    { appends: 1, events: 1 },
    { appends: 3, events: 2 },
  ]);
  for (const { seconds } of commits) expect(seconds).toBeGreaterThan(0);
};
