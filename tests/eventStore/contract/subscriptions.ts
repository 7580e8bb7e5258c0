import { describe, expect, it } from 'vitest';
import type { LogMessage, SubscriptionMessage } from '../../../src/eventStore/eventStore.js';
import {
  expectStrictlyIncreasing,
  newEvents,
  ours,
  range,
  uniqueStream,
  type ContractContext,
} from '../contractFixtures.js';
import { settlesWithin, SubscriptionProbe } from '../subscriptionProbe.js';

const caughtUpIndex = (received: readonly SubscriptionMessage[]) => received.findIndex((m) => m.type === 'caughtUp');

const eventsOf = (messages: readonly SubscriptionMessage[], streams: readonly string[]) =>
  messages.flatMap((m) => (m.type === 'event' && streams.includes(m.event.streamId) ? [m.event] : []));

export const subscriptionContract = ({ store: current, subscribe }: ContractContext): void => {
  describe('subscribing to the log', () => {
    it('delivers history, then one caughtUp, then live events appended afterwards, in position order', async () => {
      const store = current();
      const before = await store.headPosition();
      const streams = [uniqueStream('sub-a'), uniqueStream('sub-b'), uniqueStream('sub-c')] as const;
      const [a, b, c] = streams;
      await store.appendToStream(a, newEvents(2));
      await store.appendToStream(b, newEvents(1));

      const probe = new SubscriptionProbe(subscribe(before));
      await probe.caughtUp();
      const history = eventsOf(probe.received.slice(0, caughtUpIndex(probe.received)), streams);
      expect(history).toEqual(ours(await store.readAll({ after: before }), ...streams));
      expect(history).toHaveLength(3);

      // Live: appended only once the subscription said it had caught up, some of them concurrently.
      await store.appendToStream(c, newEvents(1));
      await Promise.all([
        store.appendToStream(a, newEvents(2)),
        store.appendToStream(b, newEvents(3)),
        store.appendToStream(c, newEvents(1)),
      ]);
      await probe.until((p) => eventsOf(p.received, streams).length === 10, 'the seven live events');

      const boundary = caughtUpIndex(probe.received);
      const caughtUp = probe.received[boundary];
      expect(probe.received.filter((m) => m.type === 'caughtUp')).toHaveLength(1);
      expect(eventsOf(probe.received.slice(0, boundary), streams)).toEqual(history);
      expect(eventsOf(probe.received.slice(boundary + 1), streams)).toHaveLength(7);
      if (caughtUp?.type !== 'caughtUp') throw new Error('caughtUp went missing');
      expect(caughtUp.position).toBeGreaterThanOrEqual(history.at(-1)!.position);
      expectStrictlyIncreasing(probe.events().map((e) => e.position));
      expect(eventsOf(probe.received, streams)).toEqual(ours(await store.readAll({ after: before }), ...streams));
    });

    it('starts strictly after the position it is given', async () => {
      const store = current();
      const stream = uniqueStream('sub-after');
      await store.appendToStream(stream, newEvents(3));
      const [first, second, third] = await store.readStream(stream);

      const fromFirst = new SubscriptionProbe(subscribe(first!.position));
      await fromFirst.caughtUp();
      expect(eventsOf(fromFirst.received, [stream])).toEqual([second, third]);

      const fromLast = new SubscriptionProbe(subscribe(third!.position));
      await fromLast.caughtUp();
      expect(eventsOf(fromLast.received, [stream])).toEqual([]);
      expect(fromLast.events().every((e) => e.position > third!.position)).toBe(true);
    });

    it('delivers a history longer than any page, in order, before catching up', async () => {
      const store = current();
      const before = await store.headPosition();
      const stream = uniqueStream('sub-long');
      for (let i = 0; i < 12; i++) await store.appendToStream(stream, newEvents(100));

      const probe = new SubscriptionProbe(subscribe(before));
      await probe.caughtUp(20_000);
      const history = eventsOf(probe.received, [stream]);
      expect(history.map((e) => e.revision)).toEqual(range(0, 1200));
      expectStrictlyIncreasing(probe.events().map((e) => e.position));
      expect(probe.received.at(-1)?.type).toBe('caughtUp');
    });

    it('follows the log a page of stored events at a time: history in order, caughtUp once, then live pages', async () => {
      const store = current();
      const before = await store.headPosition();
      const stream = uniqueStream('sub-pages');
      await store.appendToStream(stream, newEvents(7));
      const subscription = store.subscribeToAllStored({ after: before, pageSize: 3 });
      const iterator = subscription[Symbol.asyncIterator]();
      const received: LogMessage[] = [];
      const next = async () => {
        const result = await settlesWithin(iterator.next(), 5_000, 'the next page');
        if (result.done) throw new Error('the subscription ended');
        received.push(result.value);
        return result.value;
      };
      const storedOf = (messages: readonly LogMessage[]) =>
        ours(
          messages.flatMap((m) => (m.type === 'events' ? m.events : [])),
          stream,
        );
      try {
        while ((await next()).type !== 'caughtUp');
        // It says it has delivered everything there is each time before it waits for more.
        expect((await next()).type).toBe('waiting');
        for (const message of received)
          if (message.type === 'events') expect(message.events.length).toBeLessThanOrEqual(3);
        expect(storedOf(received)).toEqual(ours(await store.readAllStored({ after: before }), stream));
        expect(storedOf(received).map((e) => e.revision)).toEqual(range(0, 7));
        await store.appendToStream(stream, newEvents(2));
        while (storedOf(received).length < 9) await next();
        expect(storedOf(received).map((e) => e.revision)).toEqual(range(0, 9));
        expect(received.filter((m) => m.type === 'caughtUp')).toHaveLength(1);
      } finally {
        await subscription.unsubscribe();
      }
    });

    it('ends the for-await loop when unsubscribed while it waits for live events', async () => {
      const store = current();
      const subscription = subscribe(await store.headPosition());
      let sawCaughtUp!: () => void;
      const caughtUp = new Promise<void>((resolve) => (sawCaughtUp = resolve));
      const loop = (async () => {
        for await (const message of subscription) if (message.type === 'caughtUp') sawCaughtUp();
        return 'exited';
      })();
      await settlesWithin(caughtUp, 5_000, 'caughtUp');
      await settlesWithin(subscription.unsubscribe(), 5_000, 'unsubscribe to resolve');
      expect(await settlesWithin(loop, 5_000, 'the for-await loop to exit')).toBe('exited');
    });

    it('ends the for-await loop when unsubscribed from inside it, delivering nothing more', async () => {
      const store = current();
      const before = await store.headPosition();
      const stream = uniqueStream('sub-stop');
      await store.appendToStream(stream, newEvents(5));
      const subscription = subscribe(before);
      const loop = (async () => {
        const received: SubscriptionMessage[] = [];
        for await (const message of subscription) {
          received.push(message);
          if (message.type === 'event' && message.event.streamId === stream) await subscription.unsubscribe();
        }
        return received;
      })();
      const received = await settlesWithin(loop, 5_000, 'the for-await loop to exit');
      expect(received.at(-1)).toMatchObject({ type: 'event', event: { streamId: stream, revision: 0 } });
      expect(eventsOf(received, [stream])).toHaveLength(1);
    });
  });
};
