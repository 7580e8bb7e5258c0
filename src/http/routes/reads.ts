import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CommandHandler } from '../../application/commandHandler.js';
import { loadMeeting } from '../../application/ledgerCommands.js';
import { MeetingNotFound } from '../../domain/errors.js';
import { meetingStream } from '../../domain/events.js';
import type { EventStore } from '../../eventStore/eventStore.js';
import { publicEvent } from '../eventView.js';
import { ALL_READERS } from '../access.js';
import { meetingParams } from '../params.js';
import { matchesIfNoneMatch } from '../etag.js';

const eventsQuery = (pageSize: number) =>
  z.strictObject({
    after: z.coerce
      .number()
      .int()
      .min(0)
      .max(Number.MAX_SAFE_INTEGER)
      .default(0)
      .describe('Return events after this position'),
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(pageSize)
      .default(Math.min(100, pageSize))
      .describe(`At most ${pageSize} events per page (LEDGER_LIMITS pageSize)`),
  });

const streamQuery = (pageSize: number) =>
  z.strictObject({
    fromRevision: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
    limit: z.coerce.number().int().min(1).max(pageSize).default(pageSize),
  });

/** The read side that needs no projection: a meeting folded from its stream, its events, the whole log. */
export const readRoutes =
  (store: EventStore, handler: CommandHandler, pageSize = 1000): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/v1/meetings/:id',
      {
        config: { access: ALL_READERS },
        schema: { tags: ['meetings'], summary: 'A meeting as its stream tells it now', params: meetingParams },
      },
      async (request, reply) => {
        const { meeting, revision } = await loadMeeting(handler, request.params.id);
        const etag = `"${revision}"`;
        void reply.header('ETag', etag);
        if (matchesIfNoneMatch(request.headers['if-none-match'], etag)) return reply.code(304).send();
        return { ...meeting, revision };
      },
    );

    app.get(
      '/v1/meetings/:id/events',
      {
        config: { access: ALL_READERS },
        schema: {
          tags: ['meetings'],
          summary: 'The events of one meeting in order, a page at a time (next: the revision to ask for)',
          params: meetingParams,
          querystring: streamQuery(pageSize),
        },
      },
      async (request) => {
        const { fromRevision, limit } = request.query;
        const stream = meetingStream(request.params.id);
        const page = await store.readStream(stream, { fromRevision, maxCount: limit + 1 });
        if (
          page.length === 0 &&
          (fromRevision === 0 || (await store.readStream(stream, { maxCount: 1 })).length === 0)
        ) {
          throw new MeetingNotFound(request.params.id);
        }
        const events = page.slice(0, limit);
        return { events: events.map(publicEvent), next: page.length > limit ? fromRevision + limit : null };
      },
    );

    app.get(
      '/v1/events',
      {
        config: { access: ALL_READERS },
        schema: {
          tags: ['events'],
          summary: 'The whole log in position order, a page at a time',
          querystring: eventsQuery(pageSize),
        },
      },
      async (request) => {
        const { after, limit } = request.query;
        const page = await store.readAll({ after, maxCount: limit + 1 });
        const events = page.slice(0, limit);
        const next = page.length > limit ? (events.at(-1)?.position ?? null) : null;
        return { events: events.map(publicEvent), next };
      },
    );
  };
