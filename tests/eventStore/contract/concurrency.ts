import { describe, expect, it } from 'vitest';
import { WrongExpectedVersion } from '../../../src/eventStore/errors.js';
import type { AppendResult, NewEvent } from '../../../src/eventStore/eventStore.js';
import { newEvents, range, uniqueStream, type ContractContext } from '../contractFixtures.js';

export const concurrencyContract = ({ store: current }: ContractContext): void => {
  describe('concurrent appends', () => {
    it('gives concurrent appends from many callers unique, dense revisions per stream', async () => {
      const store = current();
      const streams = range(0, 4).map(() => uniqueStream('crowd'));
      const calls = range(0, 100).map((i) => ({
        stream: streams[i % streams.length]!,
        events: newEvents((i % 3) + 1),
      }));
      const results = await Promise.all(calls.map(({ stream, events }) => store.appendToStream(stream, events)));

      const positions = new Set<number>();
      for (const stream of streams) {
        const mine = calls.flatMap((call, i) => (call.stream === stream ? [{ ...call, result: results[i]! }] : []));
        const total = mine.reduce((sum, call) => sum + call.events.length, 0);
        const recorded = await store.readStream(stream);
        expect(recorded.map((e) => e.revision)).toEqual(range(0, total));
        expect(new Set(mine.map((call) => call.result.nextExpectedRevision)).size).toBe(mine.length);
        // Each append landed whole and contiguous, ending at the revision and position it was told.
        for (const { events, result } of mine) {
          const landed = recorded.slice(
            result.nextExpectedRevision - events.length + 1,
            result.nextExpectedRevision + 1,
          );
          expect(landed.map((e) => e.eventId)).toEqual(events.map((e: NewEvent) => e.eventId));
          expect(landed.at(-1)!.position).toBe(result.position);
        }
        for (const event of recorded) positions.add(event.position);
      }
      expect(positions.size).toBe(calls.reduce((sum, call) => sum + call.events.length, 0));
    });

    it('lets exactly one of many concurrent appends at the same expected revision through', async () => {
      const store = current();
      const stream = uniqueStream('contended');
      await store.appendToStream(stream, newEvents(1), { expectedRevision: 'no_stream' });
      const contenders = range(0, 10).map(() => newEvents(2));
      const outcomes = await Promise.allSettled(
        contenders.map((events) => store.appendToStream(stream, events, { expectedRevision: 0 })),
      );
      const winners = outcomes.flatMap((o, i): { events: NewEvent[]; result: AppendResult }[] =>
        o.status === 'fulfilled' ? [{ events: contenders[i]!, result: o.value }] : [],
      );
      expect(winners).toHaveLength(1);
      expect(winners[0]!.result.nextExpectedRevision).toBe(2);
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected') {
          expect(outcome.reason).toBeInstanceOf(WrongExpectedVersion);
          expect(outcome.reason).toMatchObject({ streamId: stream, expected: 0, actual: 2 });
        }
      }
      const recorded = await store.readStream(stream);
      expect(recorded.slice(1).map((e) => e.eventId)).toEqual(winners[0]!.events.map((e) => e.eventId));
    });
  });
};
