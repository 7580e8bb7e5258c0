import { describe, expect, it } from 'vitest';
import { WrongExpectedVersion } from '../../../src/eventStore/errors.js';
import { ANY, NO_STREAM, STREAM_EXISTS, type AppendResult, type NewEvent } from '../../../src/eventStore/eventStore.js';
import {
  expectStrictlyIncreasing,
  newEvent,
  newEvents,
  ours,
  range,
  rejectionOf,
  uniqueStream,
  type ContractContext,
} from '../contractFixtures.js';

const expectWrongExpectedVersion = (error: unknown, streamId: string, expected: unknown, actual: number) => {
  expect(error).toBeInstanceOf(WrongExpectedVersion);
  expect(error).toMatchObject({ streamId, expected, actual });
};

export const appendingContract = ({ store: current }: ContractContext): void => {
  describe('appending', () => {
    it('gives a new stream revisions 0 to n-1 when the append expects no stream', async () => {
      const store = current();
      const stream = uniqueStream('append-new');
      const events = newEvents(3);
      const result = await store.appendToStream(stream, events, { expectedRevision: NO_STREAM });
      const recorded = await store.readStream(stream);
      expect(recorded.map((e) => e.revision)).toEqual([0, 1, 2]);
      expect(recorded.map((e) => e.eventId)).toEqual(events.map((e) => e.eventId));
      expect(recorded.every((e) => e.streamId === stream)).toBe(true);
      expect(result).toEqual({ nextExpectedRevision: 2, position: recorded[2]!.position });
    });

    it('refuses no_stream on a stream that exists, saying its actual revision, and appends nothing', async () => {
      const store = current();
      const stream = uniqueStream('append-exists');
      await store.appendToStream(stream, newEvents(2), { expectedRevision: NO_STREAM });
      const before = await store.headPosition();
      const error = await rejectionOf(store.appendToStream(stream, newEvents(1), { expectedRevision: NO_STREAM }));
      expectWrongExpectedVersion(error, stream, NO_STREAM, 1);
      expect((await store.readStream(stream)).map((e) => e.revision)).toEqual([0, 1]);
      expect(ours(await store.readAll({ after: before }), stream)).toEqual([]);
    });

    it('refuses stream_exists on a stream that does not exist, and appends nothing', async () => {
      const store = current();
      const stream = uniqueStream('append-missing');
      const error = await rejectionOf(store.appendToStream(stream, newEvents(1), { expectedRevision: STREAM_EXISTS }));
      expectWrongExpectedVersion(error, stream, STREAM_EXISTS, -1);
      expect(await store.readStream(stream)).toEqual([]);
    });

    it('accepts stream_exists on a stream that exists', async () => {
      const store = current();
      const stream = uniqueStream('append-exists');
      await store.appendToStream(stream, newEvents(1), { expectedRevision: NO_STREAM });
      const result = await store.appendToStream(stream, newEvents(2), { expectedRevision: STREAM_EXISTS });
      expect(result.nextExpectedRevision).toBe(2);
      expect((await store.readStream(stream)).map((e) => e.revision)).toEqual([0, 1, 2]);
    });

    it('accepts an exact expected revision only when it is the stream’s current revision', async () => {
      const store = current();
      const stream = uniqueStream('append-exact');
      expectWrongExpectedVersion(
        await rejectionOf(store.appendToStream(stream, newEvents(1), { expectedRevision: 0 })),
        stream,
        0,
        -1,
      );
      await store.appendToStream(stream, newEvents(3), { expectedRevision: NO_STREAM });
      for (const stale of [0, 1, 3, 7]) {
        const error = await rejectionOf(store.appendToStream(stream, newEvents(1), { expectedRevision: stale }));
        expectWrongExpectedVersion(error, stream, stale, 2);
      }
      expect(await store.readStream(stream)).toHaveLength(3);
      const result = await store.appendToStream(stream, newEvents(2), { expectedRevision: 2 });
      expect(result.nextExpectedRevision).toBe(4);
      expect((await store.readStream(stream)).map((e) => e.revision)).toEqual([0, 1, 2, 3, 4]);
    });

    it('appends with any whether or not the stream exists', async () => {
      const store = current();
      const stream = uniqueStream('append-any');
      expect((await store.appendToStream(stream, newEvents(2), { expectedRevision: ANY })).nextExpectedRevision).toBe(
        1,
      );
      expect((await store.appendToStream(stream, newEvents(1), { expectedRevision: ANY })).nextExpectedRevision).toBe(
        2,
      );
      expect((await store.readStream(stream)).map((e) => e.revision)).toEqual([0, 1, 2]);
    });

    it('treats an append that states no expected revision as any', async () => {
      const store = current();
      const stream = uniqueStream('append-default');
      await store.appendToStream(stream, newEvents(1));
      await store.appendToStream(stream, newEvents(1), {});
      expect((await store.readStream(stream)).map((e) => e.revision)).toEqual([0, 1]);
    });

    it('keeps revisions dense across appends of different sizes', async () => {
      const store = current();
      const stream = uniqueStream('append-dense');
      const results: AppendResult[] = [];
      for (const size of [1, 4, 2, 1, 5]) results.push(await store.appendToStream(stream, newEvents(size)));
      expect(results.map((r) => r.nextExpectedRevision)).toEqual([0, 4, 6, 7, 12]);
      expect((await store.readStream(stream)).map((e) => e.revision)).toEqual(range(0, 13));
    });

    it('gives positions that strictly increase across streams in commit order', async () => {
      const store = current();
      const before = await store.headPosition();
      const [a, b, c] = [uniqueStream('order-a'), uniqueStream('order-b'), uniqueStream('order-c')];
      const commitOrder = [a, b, a, c, b, a];
      const appended = [];
      for (const stream of commitOrder) {
        const events = newEvents(2);
        appended.push({ events, result: await store.appendToStream(stream, events) });
      }
      const positions = appended.map(({ result }) => result.position);
      expect(positions[0]).toBeGreaterThan(before);
      expectStrictlyIncreasing(positions);

      const log = ours(await store.readAll({ after: before }), a, b, c);
      expect(log.map((e) => e.eventId)).toEqual(appended.flatMap(({ events }) => events.map((e) => e.eventId)));
      expectStrictlyIncreasing(log.map((e) => e.position));
      // Each append's position is its last event's, and a stream read agrees with the log.
      appended.forEach(({ result }, i) => expect(result.position).toBe(log[2 * i + 1]!.position));
      const byStream = [...(await store.readStream(a)), ...(await store.readStream(b)), ...(await store.readStream(c))];
      expect([...byStream].sort((x, y) => x.position - y.position)).toEqual(log);
    });

    it('checks the expected revision of an append of zero events and appends nothing', async () => {
      const store = current();
      const before = await store.headPosition();
      const missing = uniqueStream('empty-missing');
      expect(await store.appendToStream(missing, [], { expectedRevision: NO_STREAM })).toEqual({
        nextExpectedRevision: -1,
        position: 0,
      });
      expectWrongExpectedVersion(
        await rejectionOf(store.appendToStream(missing, [], { expectedRevision: STREAM_EXISTS })),
        missing,
        STREAM_EXISTS,
        -1,
      );
      expect(await store.readStream(missing)).toEqual([]);

      const existing = uniqueStream('empty-existing');
      const first = await store.appendToStream(existing, newEvents(2));
      expect(await store.appendToStream(existing, [], { expectedRevision: 1 })).toEqual(first);
      expectWrongExpectedVersion(
        await rejectionOf(store.appendToStream(existing, [], { expectedRevision: 0 })),
        existing,
        0,
        1,
      );
      expectWrongExpectedVersion(
        await rejectionOf(store.appendToStream(existing, [], { expectedRevision: NO_STREAM })),
        existing,
        NO_STREAM,
        1,
      );
      expect((await store.readStream(existing)).map((e) => e.revision)).toEqual([0, 1]);
      expect(ours(await store.readAll({ after: before }), missing, existing)).toHaveLength(2);
    });

    it('round-trips data and metadata as JSON: nested objects, unicode and numbers', async () => {
      const store = current();
      const before = await store.headPosition();
      const stream = uniqueStream('json');
      const data = {
        title: 'Séance plénière — 会議 📅 مجلس',
        escapes: 'She said "yes" \\ then\nleft\ttab',
        combining: 'e\u0301 and é',
        astral: '𝄞 👩🏽‍💻 🇮🇶',
        numbers: {
          zero: 0,
          negative: -42,
          fraction: 3.14159,
          tiny: 2.5e-7,
          large: 1e21,
          maxSafe: Number.MAX_SAFE_INTEGER,
          minSafe: Number.MIN_SAFE_INTEGER,
        },
        flags: [true, false, null],
        nested: { level1: { level2: { level3: [1, [2, [3, { deep: 'yes' }]]] } } },
        empty: { object: {}, array: [], string: '' },
      };
      const metadata = { causation: { commandId: 'cmd-1', by: 'Zoë Ångström' }, attempt: 2, ratio: 0.5, tags: ['ü'] };
      const events = [
        newEvent('Nested', data, metadata),
        newEvent('EmptyMetadata', { only: 'data' }, {}),
        newEvent('ArrayData', ['a', 1, { b: null }], { note: '配列' }),
        newEvent('StringData', 'just a string, with ünïcödé', {}),
        newEvent('NumberData', -0.125, {}),
        newEvent('NullData', null, {}),
      ];
      await store.appendToStream(stream, events, { expectedRevision: NO_STREAM });
      const asWritten = (list: readonly NewEvent[]) =>
        list.map(({ eventId, type, data, metadata }) => ({ eventId, type, data, metadata }));
      expect(asWritten(await store.readStream(stream))).toStrictEqual(asWritten(events));
      expect(asWritten(ours(await store.readAll({ after: before }), stream))).toStrictEqual(asWritten(events));
      const [nested] = await store.readStream(stream, { maxCount: 1 });
      expect(nested?.data).toStrictEqual(data);
      expect(nested?.metadata).toStrictEqual(metadata);
    });

    // Verification hashes a stored payload as it is when it is the payload's canonical text (RFC 8785).
    it('gives each stored payload as its canonical JSON text, whatever the order of its keys', async () => {
      const store = current();
      const before = await store.headPosition();
      const stream = uniqueStream('canonical');
      const data = { zeta: [3, { b: 2, a: 1 }], alpha: 'é "quoted"', mid: { y: 1e21, x: 0.5 } };
      await store.appendToStream(stream, [newEvent('Unordered', data, { z: 1, a: 2 })], {
        expectedRevision: NO_STREAM,
      });
      const [stored] = (await store.readAllStored({ after: before, maxCount: 1_000 })).filter(
        (e) => e.streamId === stream,
      );
      expect(stored?.data).toBe('{"alpha":"é \\"quoted\\"","mid":{"x":0.5,"y":1e+21},"zeta":[3,{"a":1,"b":2}]}');
    });

    it('keeps the recordedAt it is given and stamps an ISO instant when none is given', async () => {
      const store = current();
      const stream = uniqueStream('recorded-at');
      const given = '2017-07-13T13:00:00.000Z';
      await store.appendToStream(stream, [{ ...newEvent(), recordedAt: given }, newEvent()]);
      const [kept, stamped] = await store.readStream(stream);
      expect(kept?.recordedAt).toBe(given);
      expect(stamped?.recordedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
      expect(Number.isNaN(Date.parse(stamped!.recordedAt))).toBe(false);
    });
  });
};
