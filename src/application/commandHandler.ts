import type { LedgerEvent } from '../domain/events.js';
import { IdempotencyKeyUsed, WrongExpectedVersion } from '../eventStore/errors.js';
import type {
  AppendResult,
  EventStore,
  IdempotencyRecord,
  NewEvent,
  StoredResponse,
} from '../eventStore/eventStore.js';
import { ConcurrencyConflict, IdempotencyKeyReused, PreconditionFailed, StreamFull } from './errors.js';
import { isKeptRefusal, refusalRecord, ReplayedRefusal, type StoredRefusal } from './refusals.js';
import type { LedgerError } from '../domain/errors.js';
import type { Decider, Fold } from './decider.js';
import { envelopes } from './envelope.js';
import { FoldedStreams, type FoldOptions } from './foldedStreams.js';
import type { Folded } from './streamCache.js';

/** Everything about a command that comes from the edge rather than from its body. */
export type CommandContext = {
  commandId: string;
  correlationId: string;
  causationId: string;
  actor: string;
  /** When the ledger received the command; the only clock reading a command ever gets. */
  receivedAt: string;
  /** The command loads sample data (the demo's --illustrative part): its events are marked so. */
  illustrative?: true;
  /** From `If-Match`: the exact revision the client saw. */
  expectedRevision?: number;
  idempotency?: {
    scope: string;
    fingerprint: string;
    /** Where an earlier version kept this key: looked up (never written) when `scope` holds nothing. */
    formerScope?: string;
  };
};

export type { Decider } from './decider.js';

export type CommandOutcome = StoredResponse & { replayed: boolean };

type Describe = (result: AppendResult, appended: readonly LedgerEvent[]) => StoredResponse;
type Appended = { result: AppendResult; response: StoredResponse };

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
 * Runs one command against one stream: fold, decide, append at the revision it was decided on, then
 * move the fold on by what was appended. Without If-Match a lost race is retried on fresh state;
 * with it, it is the client's 412. The response is computed inside the append so that an
 * Idempotency-Key and its events commit together.
 */
export class CommandHandler {
  private readonly streams: FoldedStreams;
  private readonly maxEventsPerStream: number;
  private readonly onAppendSettled: ((seconds: number) => void) | undefined;

  /**
   * `maxEventsPerStream`: how long one stream (one meeting, one member) may grow (LEDGER_LIMITS
   * eventsPerStream). `onAppendSettled`: told how long each append to the store took (metrics).
   */
  constructor(
    private readonly store: EventStore,
    options: FoldOptions & { maxEventsPerStream?: number; onAppendSettled?: (seconds: number) => void } = {},
  ) {
    this.streams = new FoldedStreams(store, options);
    this.maxEventsPerStream = options.maxEventsPerStream ?? Number.MAX_SAFE_INTEGER;
    this.onAppendSettled = options.onAppendSettled;
  }

  /** Resolves once the stream snapshots already planned are saved: before their store is closed. */
  snapshotsSaved(): Promise<void> {
    return this.streams.snapshotsSaved();
  }

  /**
   * Hands `use` the stream's folded state, caught up with the store, while no command runs on that
   * stream. `use` must not keep the state (or anything it can reach): return a copy or a view of it.
   */
  read<E extends LedgerEvent, S, T>(streamId: string, decider: Fold<E, S>, use: (folded: Folded<S>) => T): Promise<T> {
    return this.streams.exclusive(streamId, async () =>
      use(await this.streams.load(streamId, decider, { catchUp: true })),
    );
  }

  handle<C, E extends LedgerEvent, S>(
    streamId: string,
    decider: Decider<C, E, S>,
    command: C,
    context: CommandContext,
    describe: Describe,
  ): Promise<CommandOutcome> {
    const run = { streamId, decider, command, context, describe };
    return this.streams.exclusive(streamId, () => this.decideAndAppend(run));
  }

  private async decideAndAppend<C, E extends LedgerEvent, S>(run: Run<C, E, S>): Promise<CommandOutcome> {
    const { streamId, context } = run;
    const key = context.idempotency;
    if (key) {
      const previous =
        (await this.store.findIdempotencyRecord(key.scope)) ??
        (key.formerScope === undefined ? undefined : await this.store.findIdempotencyRecord(key.formerScope));
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
        idempotency: { scope: key.scope, fingerprint: key.fingerprint, respond: () => refusalRecord(refusal) },
      });
    } catch (error) {
      if (!(error instanceof IdempotencyKeyUsed)) throw error;
    }
  }

  private async decideWithRetries<C, E extends LedgerEvent, S>(run: Run<C, E, S>): Promise<CommandOutcome> {
    const { streamId, decider, command, context } = run;
    for (let attempt = 1; ; attempt += 1) {
      const folded = await this.foldAt(streamId, decider, context.expectedRevision);
      const events = decider.decide(command, folded.state);
      if (folded.revision + 1 + events.length > this.maxEventsPerStream)
        throw new StreamFull(streamId, this.maxEventsPerStream);
      const wrapped = envelopes(events, context, { streamId, revision: folded.revision, lastHash: folded.lastHash });
      let appended: Appended;
      try {
        appended = await this.append(run, folded.revision, wrapped.events, events);
      } catch (error) {
        // Whatever went wrong, the store may hold more than this fold knows: the next load reads it.
        this.streams.forget(streamId);
        if (error instanceof IdempotencyKeyUsed && context.idempotency) {
          return replay(error.record, context.idempotency.fingerprint);
        }
        if (!(error instanceof WrongExpectedVersion)) throw error;
        if (context.expectedRevision !== undefined) {
          throw new PreconditionFailed(streamId, context.expectedRevision, error.actual);
        }
        if (attempt >= MAX_ATTEMPTS) throw new ConcurrencyConflict(streamId, attempt);
        continue;
      }
      const revision = appended.result.nextExpectedRevision;
      this.streams.advance(streamId, decider, folded, { events, revision, lastHash: wrapped.lastHash });
      return { ...appended.response, replayed: false };
    }
  }

  /**
   * The fold a command decides on. A client's If-Match may name a revision another process wrote
   * after this one folded the stream: only then is the store asked for newer events.
   */
  private async foldAt<E extends LedgerEvent, S>(streamId: string, decider: Fold<E, S>, expected?: number) {
    const folded = await this.streams.load(streamId, decider, { catchUp: false });
    if (expected === undefined || expected === folded.revision) return folded;
    const current = await this.streams.load(streamId, decider, { catchUp: true });
    if (expected !== current.revision) throw new PreconditionFailed(streamId, expected, current.revision);
    return current;
  }

  private async append<C, E extends LedgerEvent, S>(
    run: Run<C, E, S>,
    revision: number,
    wrapped: NewEvent[],
    events: readonly E[],
  ): Promise<Appended> {
    const { streamId, context, describe } = run;
    let response: StoredResponse | undefined;
    const began = performance.now();
    const result = await this.store
      .appendToStream(streamId, wrapped, {
        expectedRevision: revision === -1 ? 'no_stream' : revision,
        ...(context.idempotency && {
          idempotency: {
            scope: context.idempotency.scope,
            fingerprint: context.idempotency.fingerprint,
            respond: (appended: AppendResult) => (response = describe(appended, events)),
          },
        }),
      })
      .finally(() => this.onAppendSettled?.((performance.now() - began) / 1000));
    return { result, response: response ?? describe(result, events) };
  }
}

const replay = (record: IdempotencyRecord, fingerprint: string): CommandOutcome => {
  if (record.fingerprint !== fingerprint) throw new IdempotencyKeyReused();
  if (record.status >= 400) throw new ReplayedRefusal(record.status, record.body as StoredRefusal);
  return { status: record.status, body: record.body, replayed: true };
};
