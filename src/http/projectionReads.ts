import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { instant } from '../domain/shared/values.js';
import type { EventStore } from '../eventStore/eventStore.js';
import { beforeFirstEventNotice } from '../projections/businessDate.js';
import type { ProjectionName } from '../projections/catalog.js';
import type { ProjectionEngine } from '../projections/projectionEngine.js';
import { matchesIfNoneMatch } from './etag.js';
import { listingOf, type PageCursors } from './pageCursors.js';
import { beyondTheLog, HttpProblem } from './problem.js';

/** Query parameters every projection read takes: read-your-writes, time travel and paging. */
export const projectionReadQuery = (pageSize: number) => ({
  minPosition: z.coerce
    .number()
    .int()
    .min(0)
    .max(Number.MAX_SAFE_INTEGER)
    .optional()
    .describe('Wait until the projection has applied this position (see waitMs)'),
  waitMs: z.coerce.number().int().min(0).max(30_000).default(2_000).describe('How long minPosition may wait'),
  asOf: z
    .union([
      z
        .string()
        .regex(/^\d{1,15}$/)
        .transform(Number),
      instant,
    ])
    .optional()
    .describe('A position, or an ISO instant of recorded time: the projection exactly as the ledger stood then'),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(pageSize)
    .default(Math.min(100, pageSize))
    .describe(`At most this many items per page (at most ${pageSize}, LEDGER_LIMITS pageSize)`),
  cursor: z
    .string()
    .max(1_000)
    .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'must be the `next` of a previous page')
    .optional()
    .describe("The previous page's `next`: the following page, as of the same position"),
});

type ReadQuery = {
  minPosition?: number | undefined;
  waitMs: number;
  asOf?: number | string | undefined;
  cursor?: string | undefined;
};

/**
 * Where a read answers: the position, where its page starts, and query values its first page fixed;
 * `notice`, what the reader must know to read the answer right (an asOf before the first event).
 */
export type View = { at: number; after: unknown; pinned: Record<string, string>; listing: string; notice?: string };

/**
 * How the projection routes resolve the position they answer at. A cursor (signed, see
 * PageCursors) pins the position its first page answered at, so following pages read the same
 * state even as the log grows; `asOf` (auditors and the secretariat) reads the projection as it
 * stood at a position or instant, an indexed read of its temporal rows; otherwise the projection's
 * current position, after waiting for `minPosition` when asked (`Ledger-Stale: true` if it did not
 * get there in time).
 */
export class ProjectionReads {
  constructor(
    private readonly engine: ProjectionEngine,
    private readonly store: EventStore,
    private readonly cursors: PageCursors,
  ) {}

  /**
   * The view a read answers from. Sets the ETag (the projection, its version, the position, the
   * format and `variant`, any query value that is not in the URL, such as a defaulted `from`) and
   * answers 304 for an unchanged answer (then it returns undefined).
   */
  async view(
    name: ProjectionName,
    request: FastifyRequest,
    reply: FastifyReply,
    query: ReadQuery,
    { format = 'json', variant = '' }: { format?: string; variant?: string } = {},
  ): Promise<View | undefined> {
    const view = await this.resolve(name, request, reply, query);
    const pinned = Object.values(view.pinned).join(',') || variant;
    const etag = `"${name}-${this.engine.state(name).version}-${view.at}-${format}${pinned ? `-${hashOf(pinned)}` : ''}"`;
    void reply.header('ETag', etag).header('Vary', 'Accept');
    if (view.notice !== undefined) void reply.header('Ledger-Notice', view.notice);
    if (matchesIfNoneMatch(request.headers['if-none-match'], etag)) {
      await reply.code(304).send();
      return undefined;
    }
    return view;
  }

  /** The cursor of the page after this one, or null when this was the last. */
  next(view: View, after: unknown, pinned: Record<string, string> = view.pinned): string | null {
    if (after === null) return null;
    return this.cursors.encode({ at: view.at, after, pinned, on: view.listing });
  }

  private async resolve(
    name: ProjectionName,
    request: FastifyRequest,
    reply: FastifyReply,
    query: ReadQuery,
  ): Promise<View> {
    const { engine, store } = this;
    const listing = listingOf(request);
    if (query.cursor !== undefined) {
      const cursor = this.cursors.decode(query.cursor, listing);
      await reached(engine, name, cursor.at, query.waitMs);
      return { at: cursor.at, after: cursor.after, pinned: cursor.pinned ?? {}, listing };
    }
    if (query.asOf !== undefined) {
      const { at, notice } = await asOf(engine, name, store, query.asOf, query.waitMs);
      return { at, after: undefined, pinned: {}, listing, ...(notice !== undefined && { notice }) };
    }
    return { at: await live(engine, name, reply, query), after: undefined, pinned: {}, listing };
  }
}

const hashOf = (text: string): string => createHash('sha256').update(text).digest('base64url').slice(0, 12);

const behind = (name: string, at: number, position: number) =>
  new HttpProblem(
    503,
    'projection-behind',
    'The projection has not reached that position yet',
    `${name} stands at position ${position}, not yet at ${at}; retry shortly`,
    {},
    2,
  );

/** Waits (bounded) until the projection holds `at`; refuses with 503 if it does not get there. */
const reached = async (engine: ProjectionEngine, name: ProjectionName, at: number, waitMs: number) => {
  if (!(await engine.waitFor(name, at, waitMs))) throw behind(name, at, engine.state(name).position);
};

const live = async (engine: ProjectionEngine, name: ProjectionName, reply: FastifyReply, query: ReadQuery) => {
  if (query.minPosition !== undefined && !(await engine.waitFor(name, query.minPosition, query.waitMs))) {
    void reply.header('Ledger-Stale', 'true');
  }
  const { position, status } = engine.state(name);
  // Rebuilding from zero, its rows are exact but for a past position: say so rather than pass them off as now.
  if (status === 'rebuilding' && (query.minPosition === undefined || position < query.minPosition)) {
    throw new HttpProblem(
      503,
      'projection-rebuilding',
      'The projection is being rebuilt',
      `${name} is being rebuilt from the log and stands at position ${position}; retry shortly, or ask asOf a position it has reached`,
      {},
      5,
    );
  }
  return position;
};

const asOf = async (
  engine: ProjectionEngine,
  name: ProjectionName,
  store: EventStore,
  at: number | string,
  waitMs: number,
): Promise<{ at: number; notice?: string }> => {
  const head = await store.headPosition();
  // An instant after the last event is the ledger as recorded by then (the head); a position past the
  // head names a state the ledger never had.
  if (typeof at === 'number' && at > head) throw beyondTheLog('asOf', at, head);
  const position = Math.min(typeof at === 'number' ? at : await store.positionAt(at), head);
  await reached(engine, name, position, waitMs);
  if (typeof at === 'number' || position > 0 || head === 0) return { at: position };
  const [first] = await store.readAll({ maxCount: 1 });
  return { at: position, ...(first && { notice: beforeFirstEventNotice(at, first.recordedAt) }) };
};
