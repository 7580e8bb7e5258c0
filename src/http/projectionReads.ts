import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { instant } from '../domain/shared/values.js';
import type { EventStore } from '../eventStore/eventStore.js';
import type { ProjectionRunner } from '../projections/projectionRunner.js';
import { replay } from '../projections/replay.js';
import { STREAM_READERS } from './access.js';
import { matchesIfNoneMatch } from './etag.js';
import { HttpProblem } from './problem.js';

/** Query parameters every projection read takes: read-your-writes and time travel. */
export const projectionReadQuery = {
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
};

type ReadQuery = { minPosition?: number | undefined; waitMs: number; asOf?: number | string | undefined };

/**
 * The state a projection read answers from: replayed up to `asOf` (auditors and the secretariat),
 * or the live state, after waiting for `minPosition` when asked (`Ledger-Stale: true` if it did not
 * get there in time). Sets ETag and answers 304 for an unchanged state.
 */
export const projectionView = async <S>(
  runner: ProjectionRunner<S>,
  store: EventStore,
  request: FastifyRequest,
  reply: FastifyReply,
  query: ReadQuery,
): Promise<{ state: S; position: number } | undefined> => {
  const view =
    query.asOf === undefined ? await live(runner, reply, query) : await asOf(runner, store, request, query.asOf);
  const etag = `"${runner.projection.name}-${runner.current().version}-${view.position}"`;
  void reply.header('ETag', etag);
  if (matchesIfNoneMatch(request.headers['if-none-match'], etag)) {
    await reply.code(304).send();
    return undefined;
  }
  return view;
};

const live = async <S>(runner: ProjectionRunner<S>, reply: FastifyReply, query: ReadQuery) => {
  if (query.minPosition !== undefined && !(await runner.waitFor(query.minPosition, query.waitMs))) {
    void reply.header('Ledger-Stale', 'true');
  }
  const { state, position } = runner.current();
  return { state, position };
};

const asOf = async <S>(
  runner: ProjectionRunner<S>,
  store: EventStore,
  request: FastifyRequest,
  at: number | string,
) => {
  const role = request.principal?.role;
  if (role === undefined || !STREAM_READERS.includes(role)) {
    throw new HttpProblem(
      403,
      'forbidden',
      'Not allowed for this role',
      `The ${role ?? 'anonymous'} role may not read history (asOf)`,
    );
  }
  const until = typeof at === 'number' ? at : await store.positionAt(at);
  return replay(store, runner.projection, until);
};
