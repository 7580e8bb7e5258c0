import { describe, expect, it } from 'vitest';
import { WrongExpectedVersion } from '../../../src/eventStore/errors.js';
import { NO_STREAM, type StreamBatch } from '../../../src/eventStore/eventStore.js';
import {
  expectStrictlyIncreasing,
  newEvents,
  ours,
  rejectionOf,
  uniqueStream,
  type ContractContext,
} from '../contractFixtures.js';

async function* from(batches: readonly StreamBatch[], failAfter?: number) {
  for (const [index, batch] of batches.entries()) {
    if (index === failAfter) throw new Error('the source of the batches failed');
    yield batch;
  }
}

/** Three batches over two streams: a's first two events, b's first, then a's third. */
const threeBatches = (a: string, b: string): StreamBatch[] => [
  { streamId: a, events: newEvents(2), expectedRevision: NO_STREAM },
  { streamId: b, events: newEvents(1), expectedRevision: NO_STREAM },
  { streamId: a, events: newEvents(1), expectedRevision: 1 },
];

export const batchesContract = ({ store: current }: ContractContext): void => {
  describe('appending batches (bulk loading)', () => {
    it('appends the batches in the order given, each at its expected revision, keeping given recorded times', async () => {
      const store = current();
      const [a, b] = [uniqueStream('batch-a'), uniqueStream('batch-b')];
      const batches = threeBatches(a, b).map((batch, i) => ({
        ...batch,
        events: batch.events.map((e) => ({ ...e, recordedAt: `2017-07-0${i + 1}T12:00:00.000Z` })),
      }));
      const before = await store.headPosition();
      const loaded = await store.appendBatches(from(batches));
      const log = ours(await store.readAll({ after: before }), a, b);
      expect(log.map((e) => e.eventId)).toEqual(batches.flatMap((batch) => batch.events.map((e) => e.eventId)));
      expect(log.map((e) => [e.streamId, e.revision])).toEqual([
        [a, 0],
        [a, 1],
        [b, 0],
        [a, 2],
      ]);
      expect(log.map((e) => e.recordedAt)).toEqual([
        '2017-07-01T12:00:00.000Z',
        '2017-07-01T12:00:00.000Z',
        '2017-07-02T12:00:00.000Z',
        '2017-07-03T12:00:00.000Z',
      ]);
      expectStrictlyIncreasing(log.map((e) => e.position));
      expect(loaded).toEqual({ appended: 4, position: log.at(-1)!.position });
    });

    it('refuses a batch whose expected revision does not hold; all or nothing where the store says so', async () => {
      const store = current();
      const [a, b] = [uniqueStream('batch-a'), uniqueStream('batch-b')];
      const batches = threeBatches(a, b);
      batches[2] = { ...batches[2]!, expectedRevision: 5 };
      const before = await store.headPosition();
      const error = await rejectionOf(store.appendBatches(from(batches)));
      expect(error).toBeInstanceOf(WrongExpectedVersion);
      const landed = ours(await store.readAll({ after: before }), a, b).map((e) => e.eventId);
      const firstTwo = batches.slice(0, 2).flatMap((batch) => batch.events.map((e) => e.eventId));
      expect(landed).toEqual(store.atomicBatches ? [] : firstTwo);
    });

    it('appends nothing when the source of the batches fails, where the store is all or nothing', async () => {
      const store = current();
      const [a, b] = [uniqueStream('batch-a'), uniqueStream('batch-b')];
      const before = await store.headPosition();
      const error = await rejectionOf(store.appendBatches(from(threeBatches(a, b), 2)));
      expect(error).toMatchObject({ message: 'the source of the batches failed' });
      const landed = ours(await store.readAll({ after: before }), a, b);
      expect(landed).toHaveLength(store.atomicBatches ? 0 : 3);
      // The store goes on taking appends afterwards.
      await store.appendToStream(uniqueStream('after-batches'), newEvents(1));
    });

    it('lets an append made while batches load wait for them, then commits it', async () => {
      const store = current();
      const [a, b] = [uniqueStream('batch-a'), uniqueStream('batch-b')];
      const other = uniqueStream('meanwhile');
      let release = () => {};
      const held = new Promise<void>((resolve) => (release = resolve));
      let meanwhile: Promise<unknown> | undefined;
      async function* slow() {
        const [first, ...rest] = threeBatches(a, b);
        yield first!;
        meanwhile = store.appendToStream(other, newEvents(1));
        await held;
        yield* rest;
      }
      const loading = store.appendBatches(slow());
      await new Promise((resolve) => setImmediate(resolve));
      release();
      await loading;
      await meanwhile;
      expect(await store.readStream(other)).toHaveLength(1);
      expect(await store.readStream(a)).toHaveLength(3);
    });
  });
};
