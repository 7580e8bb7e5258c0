import { describe, expect, it } from 'vitest';
import type { EventStore, RecordedEvent } from '../../../src/eventStore/eventStore.js';
import {
  expectStrictlyIncreasing,
  newEvent,
  newEvents,
  ours,
  range,
  uniqueStream,
  type ContractContext,
} from '../contractFixtures.js';

const revisions = (events: readonly RecordedEvent[]) => events.map((e) => e.revision);

/** A stream of `count` events, appended in a few commits. */
const streamOf = async (store: EventStore, count: number): Promise<string> => {
  const stream = uniqueStream('read');
  for (let appended = 0; appended < count; appended += 3) {
    await store.appendToStream(stream, newEvents(Math.min(3, count - appended)));
  }
  return stream;
};

export const readingContract = ({ store: current }: ContractContext): void => {
  describe('reading a stream', () => {
    it('reads forwards from revision 0 by default', async () => {
      const store = current();
      const stream = await streamOf(store, 7);
      expect(revisions(await store.readStream(stream))).toEqual(range(0, 7));
      expect(revisions(await store.readStream(stream, { direction: 'forwards', fromRevision: 'start' }))).toEqual(
        range(0, 7),
      );
    });

    it('reads backwards from the last revision', async () => {
      const store = current();
      const stream = await streamOf(store, 7);
      const backwards = await store.readStream(stream, { direction: 'backwards' });
      expect(revisions(backwards)).toEqual(range(0, 7).reverse());
      expect(backwards).toEqual([...(await store.readStream(stream))].reverse());
      expect(revisions(await store.readStream(stream, { direction: 'backwards', fromRevision: 'end' }))).toEqual(
        range(0, 7).reverse(),
      );
    });

    it('reads forwards from a revision, including it', async () => {
      const store = current();
      const stream = await streamOf(store, 7);
      expect(revisions(await store.readStream(stream, { fromRevision: 4 }))).toEqual([4, 5, 6]);
      expect(revisions(await store.readStream(stream, { fromRevision: 6 }))).toEqual([6]);
    });

    it('reads backwards from a revision, including it', async () => {
      const store = current();
      const stream = await streamOf(store, 7);
      expect(revisions(await store.readStream(stream, { direction: 'backwards', fromRevision: 2 }))).toEqual([2, 1, 0]);
      expect(revisions(await store.readStream(stream, { direction: 'backwards', fromRevision: 0 }))).toEqual([0]);
    });

    it('stops after maxCount events in either direction', async () => {
      const store = current();
      const stream = await streamOf(store, 7);
      expect(revisions(await store.readStream(stream, { maxCount: 3 }))).toEqual([0, 1, 2]);
      expect(revisions(await store.readStream(stream, { fromRevision: 5, maxCount: 3 }))).toEqual([5, 6]);
      expect(revisions(await store.readStream(stream, { direction: 'backwards', maxCount: 2 }))).toEqual([6, 5]);
      expect(
        revisions(await store.readStream(stream, { direction: 'backwards', fromRevision: 3, maxCount: 2 })),
      ).toEqual([3, 2]);
      expect(revisions(await store.readStream(stream, { maxCount: 100 }))).toEqual(range(0, 7));
    });

    it('gives no events, and no error, for a stream that does not exist', async () => {
      const store = current();
      const missing = uniqueStream('never-written');
      expect(await store.readStream(missing)).toEqual([]);
      expect(await store.readStream(missing, { direction: 'backwards' })).toEqual([]);
      expect(await store.readStream(missing, { fromRevision: 3, maxCount: 2 })).toEqual([]);
    });

    it('gives no events reading forwards past the last revision', async () => {
      const store = current();
      const stream = await streamOf(store, 3);
      expect(await store.readStream(stream, { fromRevision: 3 })).toEqual([]);
      expect(await store.readStream(stream, { fromRevision: 50 })).toEqual([]);
    });
  });

  describe('reading the log', () => {
    it('reads strictly after the position it is given', async () => {
      const store = current();
      const stream = await streamOf(store, 3);
      const [first, second, third] = await store.readStream(stream);
      expect(ours(await store.readAll({ after: first!.position }), stream)).toEqual([second, third]);
      expect(ours(await store.readAll({ after: second!.position }), stream)).toEqual([third]);
      expect(ours(await store.readAll({ after: third!.position }), stream)).toEqual([]);
      expect(ours(await store.readAll({ after: first!.position - 1 }), stream)).toEqual([first, second, third]);
    });

    it('pages through the log with maxCount without gaps or repeats', async () => {
      const store = current();
      const before = await store.headPosition();
      const [a, b] = [uniqueStream('page-a'), uniqueStream('page-b')];
      const appended = [];
      for (const [stream, size] of [
        [a, 2],
        [b, 1],
        [a, 3],
        [b, 2],
        [a, 1],
        [b, 2],
      ] as const) {
        const events = newEvents(size);
        await store.appendToStream(stream, events);
        appended.push(...events);
      }
      const last = (await store.readStream(b, { direction: 'backwards', maxCount: 1 }))[0]!.position;

      const pages: RecordedEvent[][] = [];
      let cursor = before;
      while (cursor < last) {
        const page = await store.readAll({ after: cursor, maxCount: 3 });
        expect(page.length).toBeGreaterThan(0);
        expect(page.length).toBeLessThanOrEqual(3);
        expect(page[0]!.position).toBeGreaterThan(cursor);
        pages.push(page);
        cursor = page.at(-1)!.position;
        expect(pages.length).toBeLessThan(1_000);
      }
      const paged = pages.flat();
      expectStrictlyIncreasing(paged.map((e) => e.position));
      expect(ours(paged, a, b).map((e) => e.eventId)).toEqual(appended.map((e) => e.eventId));
      expect(ours(paged, a, b)).toEqual(ours(await store.readAll({ after: before }), a, b));
    });

    it('reads the log as stored: the same events, payloads as the JSON text written', async () => {
      const store = current();
      const before = await store.headPosition();
      const stream = uniqueStream('stored');
      const data = { title: 'Coalition Small Group', agenda: [{ itemId: 'lake-chad-basin' }], count: 3 };
      await store.appendToStream(stream, [newEvent('ContractTested', data, { actor: 'secretariat#1' })]);
      await store.appendToStream(stream, newEvents(2));
      const stored = ours(await store.readAllStored({ after: before }), stream);
      const parsed = ours(await store.readAll({ after: before }), stream);
      expect(stored).toHaveLength(3);
      expect(typeof stored[0]!.data).toBe('string');
      expect(JSON.parse(stored[0]!.data)).toEqual(data);
      expect(stored.map((e) => ({ ...e, data: JSON.parse(e.data), metadata: JSON.parse(e.metadata) }))).toEqual(parsed);
      const [first, second] = stored;
      expect(ours(await store.readAllStored({ after: first!.position }), stream)[0]).toEqual(second);
    });

    it('reports as head the position of the last committed event', async () => {
      const store = current();
      const before = await store.headPosition();
      expect(before).toBeGreaterThanOrEqual(0);
      const stream = uniqueStream('head');
      const result = await store.appendToStream(stream, newEvents(2));
      const head = await store.headPosition();
      expect(result.position).toBeGreaterThan(before);
      expect(head).toBeGreaterThanOrEqual(result.position);
      const recorded = await store.readStream(stream);
      expect(recorded.at(-1)!.position).toBe(result.position);
      // Everything committed is at or before the head.
      expect(ours(await store.readAll({ after: head }), stream)).toEqual([]);
      expect(await store.headPosition()).toBeGreaterThanOrEqual(head);
    });
  });

  describe('finding a position by recorded time', () => {
    // Recorded times long past, so no other writer of a shared log falls in between.
    const base = Date.parse('1900-01-01T00:00:00Z') + Math.floor(Math.random() * 1e6) * 60_000;
    const at = (seconds: number) => new Date(base + seconds * 1000).toISOString();

    it('answers the last event recorded at or before an instant', async () => {
      const store = current();
      const stream = uniqueStream('as-of');
      await store.appendToStream(stream, [
        { ...newEvents(1)[0]!, recordedAt: at(0) },
        { ...newEvents(1)[0]!, recordedAt: at(10) },
      ]);
      await store.appendToStream(stream, [{ ...newEvents(1)[0]!, recordedAt: at(20) }]);
      const [first, second, third] = await store.readStream(stream);
      expect(await store.positionAt(at(0))).toBe(first?.position);
      expect(await store.positionAt(at(15))).toBe(second?.position);
      expect(await store.positionAt(at(10))).toBe(second?.position);
      expect(await store.positionAt(at(20))).toBe(third?.position);
    });

    it('answers 0 for an instant before anything was recorded', async () => {
      expect(await current().positionAt('1800-01-01T00:00:00Z')).toBe(0);
    });
  });

  describe('counting the log', () => {
    it('counts the events after a position, whatever the positions between them', async () => {
      // Given five events after the head (positions need not be dense: EventStoreDB's are offsets)
      const store = current();
      const head = await store.headPosition();
      const stream = await streamOf(store, 5);
      const positions = (await store.readStream(stream)).map((e) => e.position);
      // Then the count is of events
      expect(await store.countEventsAfter(head, 100)).toBe(5);
      expect(await store.countEventsAfter(positions[2]!, 100)).toBe(2);
      expect(await store.countEventsAfter(positions[4]!, 100)).toBe(0);
    });

    it('stops counting at the bound it is given', async () => {
      const store = current();
      const head = await store.headPosition();
      await streamOf(store, 5);
      expect(await store.countEventsAfter(head, 3)).toBe(3);
      expect(await store.countEventsAfter(head, 0)).toBe(0);
    });
  });
};
