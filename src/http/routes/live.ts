import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { isLedgerEventType } from '../../domain/events.js';
import type { EventStore, Subscription, SubscriptionMessage } from '../../eventStore/eventStore.js';
import { publicEvent } from '../eventView.js';
import { ALL_READERS } from '../access.js';
import { ConcurrencyGate, type GateLimits } from '../concurrencyGate.js';
import { beyondTheLog, HttpProblem } from '../problem.js';
import { commentFrame, eventFrame } from '../serverSentEvents.js';

const LAST_EVENT_ID = /^\d{1,15}$/;
const REVOCATION_CHECK_MS = 2_000;

const liveQuery = z.strictObject({
  after: z.coerce
    .number()
    .int()
    .min(0)
    .max(Number.MAX_SAFE_INTEGER)
    .optional()
    .describe('Send events after this position, at most the head (Last-Event-ID, when sent, wins)'),
  named: z
    .enum(['0', '1'])
    .optional()
    .describe('1: name each frame by its event type (for addEventListener); by default frames are unnamed'),
});

const CAUGHT_UP = commentFrame('caught-up');
const HEARTBEAT = commentFrame('heartbeat');

/**
 * Frames are unnamed by default, so that EventSource.onmessage receives every event (a named frame
 * reaches only a listener for that name); the type is in the data. With `named=1` a frame is named
 * by its type, but only by a type the ledger knows: a name is a field, and a field comes from a list
 * we wrote, never from whatever a stored event claims (eventFrame refuses line breaks all the same).
 */
const frame = (message: SubscriptionMessage, named: boolean): string => {
  if (message.type === 'caughtUp') return CAUGHT_UP;
  const { position, type } = message.event;
  const data = JSON.stringify(publicEvent(message.event));
  return eventFrame({ id: String(position), event: named && isLedgerEventType(type) ? type : undefined, data });
};

/** Where to resume: the client's Last-Event-ID (what an EventSource sends on reconnecting), else `after`. */
const resumeAfter = (request: FastifyRequest, after: number | undefined): number => {
  const header = request.headers['last-event-id'];
  if (header === undefined) return after ?? 0;
  if (typeof header !== 'string' || !LAST_EVENT_ID.test(header.trim())) {
    throw new HttpProblem(400, 'invalid-header', 'Invalid last-event-id header', 'Last-Event-ID must be a position', {
      header: 'last-event-id',
    });
  }
  return Number(header.trim());
};

/**
 * A resume point past the head names events this log has not written: following it would skip the
 * next ones as they commit, silently. It is refused, naming the head, whether it came from `after`
 * or from Last-Event-ID (an id kept from another ledger, or from a copy that had grown further): the
 * client chooses where to resume, and an EventSource stops reconnecting on a refusal.
 */
const refusePastHead = async (store: EventStore, after: number, source: string): Promise<void> => {
  const head = await store.headPosition();
  if (after > head) throw beyondTheLog(source, after, head);
};

/** Writes messages only as fast as the socket takes them: a slow reader holds back the subscription, not memory. */
const pump = async (
  subscription: Subscription,
  res: ServerResponse,
  named: boolean,
  stopped: AbortSignal,
): Promise<void> => {
  for await (const message of subscription) {
    if (stopped.aborted) return;
    if (!res.write(frame(message, named))) await once(res, 'drain', { signal: stopped }).catch(() => undefined);
  }
};

type Stream = {
  store: EventStore;
  after: number;
  /** Frames named by event type (`named=1`), else unnamed. */
  named: boolean;
  heartbeatMs: number;
  open: Set<() => void>;
  /** Gives back the stream's place under the limits. */
  release: () => void;
  clients: LiveClients | undefined;
};

/** Told when a client starts and stops following the feed (the metrics' gauge of live clients). */
export type LiveClients = { joined(): void; left(): void };

/** Serves one client until it leaves, the subscription fails or the server closes (which calls what it adds to `open`). */
const serve = (request: FastifyRequest, res: ServerResponse, stream: Stream): void => {
  const { store, after, named, heartbeatMs, open, release, clients } = stream;
  const log = request.log;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'x-accel-buffering': 'no', // nginx would otherwise hold events back in its buffer
    'x-request-id': request.id,
  });
  res.flushHeaders();
  const subscription = store.subscribeToAll({ after });
  const stop = new AbortController();
  clients?.joined();
  // A heartbeat keeps proxies from timing the connection out; one stuck behind a full socket is no use.
  const heartbeat = setInterval(() => {
    if (!res.writableNeedDrain) res.write(HEARTBEAT);
  }, heartbeatMs);
  // A token revoked while its stream is open must not keep reading: asked again every two seconds.
  const revocation = setInterval(() => {
    if (request.stillAuthorized && !request.stillAuthorized()) end();
  }, REVOCATION_CHECK_MS);
  const end = () => {
    if (stop.signal.aborted) return;
    stop.abort();
    release();
    clients?.left();
    open.delete(end);
    clearInterval(heartbeat);
    clearInterval(revocation);
    if (!res.writableEnded) res.end();
    subscription.unsubscribe().catch((err: unknown) => log.warn({ err }, 'live feed: unsubscribe failed'));
  };
  open.add(end);
  request.raw.once('close', end);
  res.on('error', (err) => log.info({ err }, 'live feed: connection failed'));
  if (request.raw.destroyed) end(); // the client left before we started listening
  pump(subscription, res, named, stop.signal)
    .catch((err: unknown) => log.error({ err }, 'live feed: subscription failed'))
    .finally(end);
};

/**
 * `GET /v1/events/live`: the log as server-sent events, history after the resume point first, a
 * `: caught-up` comment once it is all sent, then each event as it commits. Each event's `id` is
 * its position, so a reconnecting EventSource resumes exactly where it stopped; its data is the
 * event as /v1/events shows it, type included.
 */
export const liveRoutes =
  (
    store: EventStore,
    heartbeatMs = 15_000,
    limits: GateLimits = { perCaller: 8, total: 256 },
    clients?: LiveClients,
  ): FastifyPluginAsyncZod =>
  async (app) => {
    const open = new Set<() => void>();
    // An open stream holds a subscription and a socket for as long as its client likes: bounded.
    const streams = new ConcurrencyGate('live streams', limits);
    // preClose, not onClose: the server waits for open connections before onClose hooks run.
    app.addHook('preClose', async () => {
      for (const end of open) end();
    });

    app.get(
      '/v1/events/live',
      {
        config: { access: ALL_READERS },
        exposeHeadRoute: false, // a HEAD would hold a subscription open to send nothing
        schema: {
          tags: ['events'],
          summary:
            'The log as server-sent events, history then live; resumes from Last-Event-ID (LEDGER_LIMITS liveStreamsPerToken, liveStreams)',
          querystring: liveQuery,
        },
      },
      async (request, reply) => {
        const after = resumeAfter(request, request.query.after);
        const source = request.headers['last-event-id'] === undefined ? 'after' : 'Last-Event-ID';
        await refusePastHead(store, after, source);
        const release = streams.enter(request.principal?.actor ?? request.ip);
        reply.hijack();
        const named = request.query.named === '1';
        serve(request, reply.raw, { store, after, named, heartbeatMs, open, release, clients });
      },
    );
  };
