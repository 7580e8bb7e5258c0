import { randomUUID } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { IdempotencyKeyUsed, WrongExpectedVersion } from '../../../src/eventStore/errors.js';
import type { AppendOptions, AppendResult, StoredResponse } from '../../../src/eventStore/eventStore.js';
import { newEvents, ours, rejectionOf, uniqueStream, type ContractContext } from '../contractFixtures.js';

const uniqueScope = () => `caller-1:${randomUUID()}`;

const accepted = (result: AppendResult): StoredResponse => ({
  status: 201,
  body: { revision: result.nextExpectedRevision, position: result.position, note: 'Zoë — 会議', nested: { ok: true } },
});

const idempotently = (scope: string, fingerprint: string, extra: AppendOptions = {}): AppendOptions => ({
  ...extra,
  idempotency: { scope, fingerprint, respond: accepted },
});

export const idempotencyContract = ({ store: current }: ContractContext): void => {
  describe('idempotent appends', () => {
    it('stores the response computed from the append’s result, and finds it by scope', async () => {
      const store = current();
      const stream = uniqueStream('idem');
      const scope = uniqueScope();
      const respond = vi.fn(accepted);
      const result = await store.appendToStream(stream, newEvents(2), {
        expectedRevision: 'no_stream',
        idempotency: { scope, fingerprint: 'sha256:first', respond },
      });
      expect(respond).toHaveBeenLastCalledWith(result);
      expect(await store.findIdempotencyRecord(scope)).toStrictEqual({
        scope,
        fingerprint: 'sha256:first',
        ...accepted(result),
      });
      expect(await store.readStream(stream)).toHaveLength(2);
    });

    it('finds no record under a scope never used', async () => {
      expect(await current().findIdempotencyRecord(uniqueScope())).toBeUndefined();
    });

    it('refuses a second append under the same scope with the first record, appending nothing', async () => {
      const store = current();
      const [stream, elsewhere] = [uniqueStream('idem'), uniqueStream('idem-elsewhere')];
      const scope = uniqueScope();
      const before = await store.headPosition();
      await store.appendToStream(stream, newEvents(1), idempotently(scope, 'sha256:same'));
      const record = await store.findIdempotencyRecord(scope);

      const again = await rejectionOf(store.appendToStream(stream, newEvents(1), idempotently(scope, 'sha256:same')));
      expect(again).toBeInstanceOf(IdempotencyKeyUsed);
      expect((again as IdempotencyKeyUsed).record).toStrictEqual(record);

      const onAnotherStream = await rejectionOf(
        store.appendToStream(elsewhere, newEvents(1), idempotently(scope, 'sha256:same')),
      );
      expect(onAnotherStream).toBeInstanceOf(IdempotencyKeyUsed);
      expect(ours(await store.readAll({ after: before }), stream, elsewhere)).toHaveLength(1);
      expect(await store.findIdempotencyRecord(scope)).toStrictEqual(record);
    });

    it('refuses a reused scope with another request, carrying the first request’s fingerprint', async () => {
      const store = current();
      const stream = uniqueStream('idem');
      const scope = uniqueScope();
      await store.appendToStream(stream, newEvents(1), idempotently(scope, 'sha256:first'));
      const error = await rejectionOf(store.appendToStream(stream, newEvents(3), idempotently(scope, 'sha256:other')));
      expect(error).toBeInstanceOf(IdempotencyKeyUsed);
      expect((error as IdempotencyKeyUsed).record).toMatchObject({ scope, fingerprint: 'sha256:first', status: 201 });
      expect(await store.readStream(stream)).toHaveLength(1);
    });

    it('stores no record when the append fails its expected revision, so the key can be used again', async () => {
      const store = current();
      const stream = uniqueStream('idem-conflict');
      const scope = uniqueScope();
      await store.appendToStream(stream, newEvents(1));
      const error = await rejectionOf(
        store.appendToStream(stream, newEvents(1), idempotently(scope, 'sha256:x', { expectedRevision: 5 })),
      );
      expect(error).toBeInstanceOf(WrongExpectedVersion);
      expect(await store.findIdempotencyRecord(scope)).toBeUndefined();
      expect(await store.readStream(stream)).toHaveLength(1);

      const retried = await store.appendToStream(
        stream,
        newEvents(1),
        idempotently(scope, 'sha256:x', { expectedRevision: 0 }),
      );
      expect(await store.findIdempotencyRecord(scope)).toStrictEqual({
        scope,
        fingerprint: 'sha256:x',
        ...accepted(retried),
      });
    });

    it('lets exactly one of concurrent appends under the same scope through', async () => {
      const store = current();
      const scope = uniqueScope();
      const streams = Array.from({ length: 10 }, () => uniqueStream('idem-race'));
      const outcomes = await Promise.allSettled(
        streams.map((stream) => store.appendToStream(stream, newEvents(1), idempotently(scope, 'sha256:race'))),
      );
      const winners = outcomes.flatMap((o, i) =>
        o.status === 'fulfilled' ? [{ stream: streams[i]!, result: o.value }] : [],
      );
      expect(winners).toHaveLength(1);
      const record = await store.findIdempotencyRecord(scope);
      expect(record).toStrictEqual({ scope, fingerprint: 'sha256:race', ...accepted(winners[0]!.result) });
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected') {
          expect(outcome.reason).toBeInstanceOf(IdempotencyKeyUsed);
          expect((outcome.reason as IdempotencyKeyUsed).record).toStrictEqual(record);
        }
      }
      const lengths = await Promise.all(streams.map(async (s) => (await store.readStream(s)).length));
      expect(lengths.filter((n) => n > 0)).toEqual([1]);
      expect(await store.readStream(winners[0]!.stream)).toHaveLength(1);
    });
  });
};
