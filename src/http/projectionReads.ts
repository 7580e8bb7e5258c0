import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { instant } from '../domain/shared/values.js';
import type { EventStore } from '../eventStore/eventStore.js';
import type { ProjectionName } from '../projections/catalog.js';
import type { ProjectionEngine } from '../projections/projectionEngine.js';
import { STREAM_READERS } from './access.js';
import { matchesIfNoneMatch } from './etag.js';
import { HttpProblem } from './problem.js';

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
    .regex(/^[A-Za-z0-9_-]+$/)
    .optional()
    .describe("The previous page's `next`: the following page, as of the same position"),
});

type ReadQuery = {
  minPosition?: number | undefined;
  waitMs: number;
  asOf?: number | string | undefined;
  cursor?: string | undefined;
};

/** What a page cursor carries: the position the first page answered at, and where the page ended. */
const cursorShape = z.strictObject({ at: z.number().int().min(0), after: z.unknown() });

export const encodeCursor = (at: number, after: unknown): string =>
  Buffer.from(JSON.stringify({ at, after })).toString('base64url');

const badCursor = () =>
  new HttpProblem(400, 'invalid-cursor', 'Invalid cursor', 'cursor must be the `next` of a previous page');

const decodeCursor = (cursor: string): { at: number; after: unknown } => {
  try {
    const parsed = cursorShape.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (parsed.success) return { at: parsed.data.at, after: parsed.data.after };
  } catch {
    // not base64url JSON: the same refusal as a cursor of the wrong shape
  }
  throw badCursor();
};

/** The part of a cursor that says where the page ended, checked against the shape a route expects. */
export const cursorAfter = <T>(schema: z.ZodType<T>, after: unknown): T | undefined => {
  if (after === undefined || after === null) return undefined;
  const parsed = schema.safeParse(after);
  if (!parsed.success) throw badCursor();
  return parsed.data;
};

export type View = { at: number; after: unknown };

/**
 * The position a projection read answers at, and where its page starts. A cursor pins the position
 * its first page answered at, so following pages read the same state even as the log grows; `asOf`
 * (auditors and the secretariat) reads the projection as it stood at a position or instant, an
 * indexed read of its temporal rows; otherwise the projection's current position, after waiting for
 * `minPosition` when asked (`Ledger-Stale: true` if it did not get there in time). Sets the ETag
 * and answers 304 for an unchanged answer.
 */
export const projectionView = async (
  engine: ProjectionEngine,
  name: ProjectionName,
  store: EventStore,
  request: FastifyRequest,
  reply: FastifyReply,
  query: ReadQuery,
  format = 'json',
): Promise<View | undefined> => {
  const view =
    query.cursor !== undefined
      ? await fromCursor(engine, name, query.cursor, query.waitMs)
      : query.asOf !== undefined
        ? { at: await asOf(engine, name, store, request, query.asOf, query.waitMs), after: undefined }
        : { at: await live(engine, name, reply, query), after: undefined };
  const etag = `"${name}-${engine.state(name).version}-${view.at}-${format}"`;
  void reply.header('ETag', etag).header('Vary', 'Accept');
  if (matchesIfNoneMatch(request.headers['if-none-match'], etag)) {
    await reply.code(304).send();
    return undefined;
  }
  return view;
};

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

const fromCursor = async (engine: ProjectionEngine, name: ProjectionName, cursor: string, waitMs: number) => {
  const view = decodeCursor(cursor);
  await reached(engine, name, view.at, waitMs);
  return view;
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
  request: FastifyRequest,
  at: number | string,
  waitMs: number,
): Promise<number> => {
  const role = request.principal?.role;
  if (role === undefined || !STREAM_READERS.includes(role)) {
    throw new HttpProblem(
      403,
      'forbidden',
      'Not allowed for this role',
      `The ${role ?? 'anonymous'} role may not read history (asOf)`,
    );
  }
  const head = await store.headPosition();
  const position = Math.min(typeof at === 'number' ? at : await store.positionAt(at), head);
  await reached(engine, name, position, waitMs);
  return position;
};
