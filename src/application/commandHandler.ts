import { toLedgerEvent, type LedgerEvent } from '../domain/events.js';
import { IdempotencyKeyUsed, WrongExpectedVersion } from '../eventStore/errors.js';
import type { AppendResult, EventStore, IdempotencyRecord, StoredResponse } from '../eventStore/eventStore.js';
import { ConcurrencyConflict, IdempotencyKeyReused, PreconditionFailed, StreamFull } from './errors.js';
import { isKeptRefusal, refusalRecord, ReplayedRefusal, type StoredRefusal } from './refusals.js';
import type { LedgerError } from '../domain/errors.js';
import { envelopes } from './envelope.js';
import { StreamCache, type Folded } from './streamCache.js';
import { eventHash } from '../audit/canonical.js';
import { StreamLocks } from './streamLocks.js';

/** Everything about a command that comes from the edge rather than from its body. */
export type CommandContext = {
  commandId: string;
  correlationId: string;
  causationId: string;
  actor: string;
  /** When the ledger received the command; the only clock reading a command ever gets. */
  receivedAt: string;
  /** From `If-Match`: the exact revision the client saw. */
  expectedRevision?: number;
  idempotency?: { scope: string; fingerprint: string };
};

export type Decider<C, E extends LedgerEvent, S> = {
  initialState: () => S;
  evolve: (state: S, event: E) => S;
  decide: (command: C, state: S) => E[];
};

export type CommandOutcome = StoredResponse & { replayed: boolean };

type Describe = (result: AppendResult, appended: readonly LedgerEvent[]) => StoredResponse;

const MAX_ATTEMPTS = 5;

/** One command on its way through the handler. */
type Run<C, E extends LedgerEvent, S> = {
  streamId: string;
  decider: Decider<C, E, S>;
  command: C;
  context: CommandContext;
  describe: Describe;
};

/**
 * Runs one command against one stream: load, fold, decide, append at the revision it was decided on.
 * Without If-Match a lost race is retried on fresh state; with it, it is the client's 412. The
 * response is computed inside the append so that an Idempotency-Key and its events commit together.
 */
export class CommandHandler {
  private readonly folded: StreamCache;
  private readonly locks = new StreamLocks();

  private readonly maxEventsPerStream: number;

  /** `maxEventsPerStream`: how long one stream (one meeting, one member) may grow (LEDGER_LIMITS eventsPerStream). */
  constructor(
    private readonly store: EventStore,
    options: { cachedStreams?: number; maxEventsPerStream?: number } = {},
  ) {
    this.folded = new StreamCache(options.cachedStreams ?? 10_000);
    this.maxEventsPerStream = options.maxEventsPerStream ?? Number.MAX_SAFE_INTEGER;
  }

  /**
   * Hands `use` the stream's folded state, caught up with the store, while no command runs on that
   * stream. `use` must not keep the state (or anything it can reach): return a copy or a view of it.
   */
  read<E extends LedgerEvent, S, T>(
    streamId: string,
    decider: Pick<Decider<unknown, E, S>, 'initialState' | 'evolve'>,
    use: (folded: Folded<S>) => T,
  ): Promise<T> {
    return this.locks.run(streamId, async () => use(await this.load(streamId, decider)));
  }

  handle<C, E extends LedgerEvent, S>(
    streamId: string,
    decider: Decider<C, E, S>,
    command: C,
    context: CommandContext,
    describe: Describe,
  ): Promise<CommandOutcome> {
    const run = { streamId, decider, command, context, describe };
    return this.locks.run(streamId, () => this.decideAndAppend(run));
  }

  private async decideAndAppend<C, E extends LedgerEvent, S>(run: Run<C, E, S>): Promise<CommandOutcome> {
    const { streamId, context } = run;
    const key = context.idempotency;
    if (key) {
      const previous = await this.store.findIdempotencyRecord(key.scope);
      if (previous) return replay(previous, key.fingerprint);
    }
    try {
      return await this.decideWithRetries(run);
    } catch (error) {
      if (key && isKeptRefusal(error)) await this.keepRefusal(streamId, key, error);
      throw error;
    }
  }

  /** A refusal is an answer too: kept under the key (appending nothing), so a retry gets the same one. */
  private async keepRefusal(streamId: string, key: { scope: string; fingerprint: string }, refusal: LedgerError) {
    try {
      await this.store.appendToStream(streamId, [], {
        expectedRevision: 'any',
        idempotency: { ...key, respond: () => refusalRecord(refusal) },
      });
    } catch (error) {
      if (!(error instanceof IdempotencyKeyUsed)) throw error;
    }
  }

  private async decideWithRetries<C, E extends LedgerEvent, S>(run: Run<C, E, S>): Promise<CommandOutcome> {
    const { streamId, decider, command, context, describe } = run;
    for (let attempt = 1; ; attempt += 1) {
      const { state, revision, lastHash } = await this.load(streamId, decider);
      if (context.expectedRevision !== undefined && context.expectedRevision !== revision) {
        throw new PreconditionFailed(streamId, context.expectedRevision, revision);
      }
      const events = decider.decide(command, state);
      if (revision + 1 + events.length > this.maxEventsPerStream)
        throw new StreamFull(streamId, this.maxEventsPerStream);
      try {
        let response: StoredResponse | undefined;
        const wrapped = envelopes(events, context, { streamId, revision, lastHash });
        const result = await this.store.appendToStream(streamId, wrapped, {
          expectedRevision: revision === -1 ? 'no_stream' : revision,
          ...(context.idempotency && {
            idempotency: {
              ...context.idempotency,
              respond: (appended: AppendResult) => (response = describe(appended, events)),
            },
          }),
        });
        return { ...(response ?? describe(result, events)), replayed: false };
      } catch (error) {
        // Whatever went wrong, the store may hold more than this fold knows: the next load reads it.
        this.folded.delete(streamId);
        if (error instanceof IdempotencyKeyUsed && context.idempotency) {
          return replay(error.record, context.idempotency.fingerprint);
        }
        if (!(error instanceof WrongExpectedVersion)) throw error;
        if (context.expectedRevision !== undefined) {
          throw new PreconditionFailed(streamId, context.expectedRevision, error.actual);
        }
        if (attempt >= MAX_ATTEMPTS) throw new ConcurrencyConflict(streamId, attempt);
      }
    }
  }

  /**
   * Folds a stream into its current state and revision (-1 when it has no events). Streams only
   * grow, so a state folded earlier stays true up to its revision: only newer events are read.
   */
  private async load<E extends LedgerEvent, S>(
    streamId: string,
    decider: Pick<Decider<unknown, E, S>, 'initialState' | 'evolve'>,
  ): Promise<Folded<S>> {
    const cached = this.folded.get<S>(streamId);
    const recorded = await this.store.readStream(streamId, { fromRevision: cached ? cached.revision + 1 : 0 });
    const state = recorded.reduce(
      (s, r) => decider.evolve(s, toLedgerEvent(r.type, r.data) as E),
      cached?.state ?? decider.initialState(),
    );
    const last = recorded.at(-1);
    const folded: Folded<S> = last
      ? { state, revision: last.revision, lastHash: eventHash(last) }
      : { state, revision: cached?.revision ?? -1, lastHash: cached?.lastHash ?? null };
    if (folded.revision >= 0) this.folded.set(streamId, folded);
    return folded;
  }
}

const replay = (record: IdempotencyRecord, fingerprint: string): CommandOutcome => {
  if (record.fingerprint !== fingerprint) throw new IdempotencyKeyReused();
  if (record.status >= 400) throw new ReplayedRefusal(record.status, record.body as StoredRefusal);
  return { status: record.status, body: record.body, replayed: true };
};
