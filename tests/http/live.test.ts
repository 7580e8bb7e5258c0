import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { get, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { afterEach, describe, expect, it } from 'vitest';
import { meetingStream } from '../../src/domain/events.js';
import type { Subscription } from '../../src/eventStore/eventStore.js';
import { SqliteEventStore } from '../../src/eventStore/sqliteEventStore.js';
import { registerAccessControl } from '../../src/http/access.js';
import { registerProblemHandlers } from '../../src/http/problem.js';
import { liveRoutes } from '../../src/http/routes/live.js';
import { TokenRegistry } from '../../src/http/tokens.js';
import { africanUnionInvited, meetingId, meetingScheduled, mosulOnTheVerge } from '../domain/smallGroupMeeting.js';
import { settlesWithin } from '../eventStore/subscriptionProbe.js';
import { interpretEventStream, onmessage } from './eventSourceParser.js';

const TOKEN = 'auditor-token-0123456789';
const OTHER_TOKEN = 'audit-job-token-0123456789';
const stream = meetingStream(meetingId);

/** What the route did with one subscription: how many messages it took, and whether it let go. */
type Tracked = { pulled: number; unsubscribed: Promise<void> };

/** Wraps the store's subscriptions so a test can see them pulled and released. */
const track = (store: SqliteEventStore): Tracked[] => {
  const tracked: Tracked[] = [];
  const subscribe = store.subscribeToAll.bind(store);
  store.subscribeToAll = (options) => {
    const inner = subscribe(options);
    const iterator = inner[Symbol.asyncIterator]();
    let released = () => {};
    const entry: Tracked = { pulled: 0, unsubscribed: new Promise((resolve) => (released = resolve)) };
    tracked.push(entry);
    const wrapped: Subscription = {
      [Symbol.asyncIterator]: () => ({
        next: async () => {
          const result = await iterator.next();
          if (!result.done) entry.pulled += 1;
          return result;
        },
        return: async () => iterator.return?.() ?? { done: true, value: undefined },
      }),
      unsubscribe: async () => {
        await inner.unsubscribe();
        released();
      },
    };
    return wrapped;
  };
  return tracked;
};

type Live = {
  app: FastifyInstance;
  store: SqliteEventStore;
  url: string;
  subscriptions: Tracked[];
  responses: ServerResponse[];
  /** Log lines at error level or above. */
  errors: () => unknown[];
  append: (type: string, data: unknown) => Promise<number>;
};

const opened: { app: FastifyInstance; store: SqliteEventStore; dir: string }[] = [];

const startLive = async (heartbeatMs = 60_000, limits = { perCaller: 8, total: 256 }): Promise<Live> => {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-live-'));
  const store = new SqliteEventStore(join(dir, 'events.db'), { synchronous: 'NORMAL' });
  const subscriptions = track(store);
  const logs: { level: number }[] = [];
  const app = Fastify({ logger: { level: 'info', stream: { write: (line: string) => logs.push(JSON.parse(line)) } } });
  opened.push({ app, store, dir });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerProblemHandlers(app);
  registerAccessControl(
    app,
    new TokenRegistry([
      { role: 'reporter', token: TOKEN, id: 'reporter-one' },
      { role: 'reporter', token: OTHER_TOKEN, id: 'reporter-two' },
    ]),
  );
  const responses: ServerResponse[] = [];
  app.addHook('onRequest', async (_request, reply) => {
    responses.push(reply.raw);
  });
  await app.register(liveRoutes(store, heartbeatMs, limits));
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  let revision = 0;
  return {
    app,
    store,
    url: `${address}/v1/events/live`,
    subscriptions,
    responses,
    errors: () => logs.filter((line) => line.level >= 50),
    append: async (type, data) => {
      const event = { eventId: randomUUID(), type, data, metadata: { revision } };
      revision += 1;
      return (await store.appendToStream(stream, [event])).position;
    },
  };
};

afterEach(async () => {
  for (const { app, store, dir } of opened.splice(0)) {
    const closing = app.close();
    try {
      await settlesWithin(closing, 5_000, 'the server to close after the test');
    } finally {
      app.server.closeAllConnections(); // only does anything when a stream was left open, and the test fails
      await closing;
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

type Frame = { id?: string; event?: string; data?: string; comment?: string };

const parseFrame = (text: string): Frame => {
  const frame: Frame = {};
  for (const line of text.split('\n')) {
    if (line.startsWith(':')) frame.comment = line.slice(1).trim();
    else {
      const colon = line.indexOf(':');
      const [field, value] = [line.slice(0, colon), line.slice(colon + 1).replace(/^ /, '')];
      if (field === 'id' || field === 'event' || field === 'data') frame[field] = value;
    }
  }
  return frame;
};

/** Reads an event stream frame by frame until a condition holds, failing at a deadline instead of sleeping. */
class EventStreamReader {
  readonly frames: Frame[] = [];
  ended = false;
  /** Everything received, as text: for the spec-following parser of eventSourceParser.ts. */
  text = '';
  private buffer = '';
  private readonly decoder = new TextDecoder();
  private pending: ReturnType<ReadableStreamDefaultReader<Uint8Array>['read']> | undefined;

  constructor(private readonly reader: ReadableStreamDefaultReader<Uint8Array>) {}

  events(): Frame[] {
    return this.frames.filter((f) => f.id !== undefined);
  }

  comments(): string[] {
    return this.frames.flatMap((f) => (f.comment === undefined ? [] : [f.comment]));
  }

  async until(condition: (reader: EventStreamReader) => boolean, what: string, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition(this)) {
      if (this.ended) throw new Error(`The stream ended before ${what}`);
      if (!this.pending) {
        this.pending = this.reader.read();
        this.pending.catch(() => undefined); // an abort while nobody waits is not a failure
      }
      const result = await settlesWithin(this.pending, Math.max(0, deadline - Date.now()), what);
      this.pending = undefined;
      if (result.done) this.ended = true;
      else {
        const chunk = this.decoder.decode(result.value, { stream: true });
        this.text += chunk;
        this.buffer += chunk;
      }
      for (let cut = this.buffer.indexOf('\n\n'); cut >= 0; cut = this.buffer.indexOf('\n\n')) {
        this.frames.push(parseFrame(this.buffer.slice(0, cut)));
        this.buffer = this.buffer.slice(cut + 2);
      }
    }
  }

  caughtUp(): Promise<void> {
    return this.until((r) => r.comments().includes('caught-up'), 'caught-up');
  }
}

const connect = async (url: string, headers: Record<string, string> = {}) => {
  const abort = new AbortController();
  const response = await fetch(url, {
    headers: { authorization: `Bearer ${TOKEN}`, ...headers },
    signal: abort.signal,
  });
  const reader = response.ok ? new EventStreamReader(response.body!.getReader()) : undefined;
  return { response, reader: reader!, close: () => abort.abort() };
};

/**
 * The same over node:http, for a client that hangs up: after an aborted fetch, undici opens a spare
 * connection that never sends a request, and Node's server.close() waits for it until undici's
 * keep-alive timeout (72 s against fastify), which would hide whether the route let go.
 */
const connectRaw = (url: string) =>
  new Promise<{ reader: EventStreamReader; close: () => void }>((resolve, reject) => {
    const request = get(url, { headers: { authorization: `Bearer ${TOKEN}` }, agent: false }, (response) => {
      const body = Readable.toWeb(response) as ReadableStream<Uint8Array>;
      resolve({ reader: new EventStreamReader(body.getReader()), close: () => request.destroy() });
    });
    request.on('error', reject);
  });

const ids = (reader: EventStreamReader) => reader.events().map((f) => Number(f.id));

describe('GET /v1/events/live', () => {
  it('sends the history in order with positions as ids, says caught-up, then sends what is appended', async () => {
    const live = await startLive();
    const history = [
      await live.append(meetingScheduled.type, meetingScheduled.data),
      await live.append(africanUnionInvited.type, africanUnionInvited.data),
    ];
    const { response, reader } = await connect(live.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    await reader.caughtUp();
    expect(reader.frames.map((f) => f.comment ?? Number(f.id))).toEqual([...history, 'caught-up']);
    expect(reader.events().map((f) => f.event)).toEqual([undefined, undefined]);
    const [first] = await live.store.readAll({ maxCount: 1 });
    expect(JSON.parse(reader.events()[0]!.data!)).toEqual({
      position: history[0],
      eventId: first!.eventId,
      streamId: stream,
      revision: 0,
      type: 'MeetingScheduled',
      data: meetingScheduled.data,
      metadata: { revision: 0 },
      recordedAt: first!.recordedAt,
    });

    const appended = await live.append(mosulOnTheVerge.type, mosulOnTheVerge.data);
    await reader.until((r) => ids(r).includes(appended), 'the live append');
    expect(reader.frames.map((f) => f.comment ?? Number(f.id))).toEqual([...history, 'caught-up', appended]);
    expect(JSON.parse(reader.events()[2]!.data!)).toMatchObject({ type: 'OutcomeRecorded', revision: 2 });
  });

  it('resumes strictly after the position in Last-Event-ID, which wins over after', async () => {
    const live = await startLive();
    const positions: number[] = [];
    for (let i = 0; i < 4; i += 1) positions.push(await live.append('ObserverInvited', { i }));
    const resumed = await connect(`${live.url}?after=0`, { 'last-event-id': String(positions[1]) });
    await resumed.reader.caughtUp();
    expect(ids(resumed.reader)).toEqual(positions.slice(2));

    const fromQuery = await connect(`${live.url}?after=${positions[2]}`);
    await fromQuery.reader.caughtUp();
    expect(ids(fromQuery.reader)).toEqual(positions.slice(3));
  });

  it('refuses a Last-Event-ID or an after that is not a position', async () => {
    const live = await startLive();
    for (const [query, headers] of [
      ['', { 'last-event-id': 'abc' }],
      ['', { 'last-event-id': '-1' }],
      ['?after=-1', {}],
      ['?after=1.5', {}],
      ['?after=0&since=1', {}],
    ] as const) {
      const { response } = await connect(`${live.url}${query}`, headers);
      expect(response.status, `${query} ${JSON.stringify(headers)}`).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
    expect(live.subscriptions).toHaveLength(0);
  });

  it('refuses an after or a Last-Event-ID past the head with 422 naming the head, and subscribes to nothing', async () => {
    const live = await startLive();
    const head = await live.append(meetingScheduled.type, meetingScheduled.data);
    for (const [query, headers, source] of [
      [`?after=${head + 1}`, {}, 'after'],
      ['?after=0', { 'last-event-id': String(head + 5) }, 'Last-Event-ID'],
    ] as const) {
      const { response } = await connect(`${live.url}${query}`, headers);
      expect(response.status, source).toBe(422);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const problem = (await response.json()) as { type: string; detail: string; head: number };
      expect(problem).toMatchObject({ type: 'urn:meeting-ledger:problem:beyond-the-log', head });
      expect(problem.detail).toContain(`is past the end of the log, which is at position ${head}`);
      expect(problem.detail.startsWith(source)).toBe(true);
    }
    expect(live.subscriptions).toHaveLength(0);
    const atHead = await connect(`${live.url}?after=${head}`);
    await atHead.reader.caughtUp();
    expect(ids(atHead.reader)).toEqual([]);
  });

  it('answers 401 without a token and subscribes to nothing', async () => {
    const live = await startLive();
    const response = await fetch(live.url);
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="meeting-ledger"');
    expect(live.subscriptions).toHaveLength(0);
  });

  it('has no HEAD, which would hold a subscription open to send nothing', async () => {
    const live = await startLive();
    const response = await fetch(live.url, { method: 'HEAD', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(404);
    expect(live.subscriptions).toHaveLength(0);
  });

  it('sends heartbeat comments while the log is quiet', async () => {
    const live = await startLive(50);
    const { reader } = await connect(live.url);
    await reader.until((r) => r.comments().filter((c) => c === 'heartbeat').length >= 2, 'two heartbeats');
    expect(reader.comments()[0]).toBe('caught-up');
  });

  it('unsubscribes when the client goes away, and the server then closes cleanly', async () => {
    const live = await startLive(50);
    await live.append(meetingScheduled.type, meetingScheduled.data);
    const { reader, close } = await connectRaw(live.url);
    await reader.caughtUp();
    close();
    await settlesWithin(live.subscriptions[0]!.unsubscribed, 5_000, 'the unsubscribe');
    await settlesWithin(live.app.close(), 5_000, 'the server to close');
    expect(live.errors()).toEqual([]);
  });

  it('ends open streams and unsubscribes when the server closes', async () => {
    const live = await startLive();
    const { reader } = await connect(live.url);
    await reader.caughtUp();
    await settlesWithin(live.app.close(), 5_000, 'the server to close');
    await settlesWithin(live.subscriptions[0]!.unsubscribed, 5_000, 'the unsubscribe');
    await reader.until((r) => r.ended, 'the end of the stream');
    expect(live.errors()).toEqual([]);
  });

  it('stops pulling from the log while a slow reader is behind, then sends the rest in order', async () => {
    const live = await startLive();
    const blob = 'x'.repeat(20_000);
    const count = 1_500; // 30 MB: more than the socket buffers of both ends hold
    const { position: last } = await live.store.appendToStream(
      stream,
      Array.from({ length: count }, (_, i) => ({
        eventId: randomUUID(),
        type: 'Filler',
        data: { i, blob },
        metadata: {},
      })),
    );
    const { reader } = await connect(live.url); // and read nothing yet
    const [subscription] = live.subscriptions;
    const [response] = live.responses;
    const deadline = Date.now() + 10_000;
    while (!response!.writableNeedDrain) {
      if (Date.now() > deadline) throw new Error(`The socket never filled; ${subscription!.pulled} pulled`);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(subscription!.pulled).toBeLessThan(count);
    expect(response!.writableLength).toBeLessThan(256 * 1024);

    await reader.until((r) => r.events().length === count, `all ${count} events`, 20_000);
    const positions = ids(reader);
    expect(positions.at(-1)).toBe(last);
    expect(positions.every((p, i) => i === 0 || p > positions[i - 1]!)).toBe(true);
  });

  it('refuses a token more streams than its share (429) and everyone more than the ledger holds (503); a closed stream frees its place', async () => {
    const live = await startLive(60_000, { perCaller: 2, total: 3 });
    const mine = [await connect(live.url), await connect(live.url)];
    for (const { reader } of mine) await reader.caughtUp();
    const third = await connect(live.url);
    expect(third.response.status).toBe(429);
    expect(third.response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(third.response.headers.get('retry-after')).toBe('5');
    expect(await third.response.json()).toMatchObject({ status: 429, limit: 2 });
    const other = await connect(live.url, { authorization: `Bearer ${OTHER_TOKEN}` });
    await other.reader.caughtUp();
    const beyond = await connect(live.url, { authorization: `Bearer ${OTHER_TOKEN}` });
    expect(beyond.response.status).toBe(503);
    expect(beyond.response.headers.get('retry-after')).toBe('5');
    // Refused streams never subscribed to the log.
    expect(live.subscriptions).toHaveLength(3);

    mine[0]!.close();
    await settlesWithin(live.subscriptions[0]!.unsubscribed, 5_000, 'the closed stream to let go');
    const again = await connect(live.url);
    await again.reader.caughtUp();
    for (const { close } of [mine[1]!, other, again]) close();
  });
});

describe('the live feed as an EventSource reads it', () => {
  const FORGED_TYPE = 'Forged\ndata: {"forged":true}\nid: 999999';

  /** The log: three domain events and one whose stored type tries to write frames of its own. */
  const appendLog = async (live: Live): Promise<number[]> => [
    await live.append(meetingScheduled.type, meetingScheduled.data),
    await live.append(africanUnionInvited.type, africanUnionInvited.data),
    (await live.store.appendToStream(stream, [{ eventId: randomUUID(), type: FORGED_TYPE, data: {}, metadata: {} }]))
      .position,
    await live.append(mosulOnTheVerge.type, mosulOnTheVerge.data),
  ];

  it('delivers every event to onmessage, its type inside the data and its position as the last event id', async () => {
    const live = await startLive();
    const positions = await appendLog(live);
    const { reader } = await connect(live.url);
    await reader.caughtUp();
    const received = onmessage(reader.text);
    expect(received.map((e) => Number(e.lastEventId))).toEqual(positions);
    const types = received.map((e) => (JSON.parse(e.data) as { type: string }).type);
    expect(types).toEqual(['MeetingScheduled', 'ObserverInvited', FORGED_TYPE, 'OutcomeRecorded']);
    expect(received.map((e) => e.data)).not.toContain('{"forged":true}');
  });

  it('names frames by type only when asked with named=1, and never by a type the ledger does not know', async () => {
    const live = await startLive();
    const positions = await appendLog(live);
    const { reader } = await connect(`${live.url}?named=1`);
    await reader.caughtUp();
    const dispatched = interpretEventStream(reader.text);
    expect(dispatched.map((e) => [e.type, Number(e.lastEventId)])).toEqual([
      ['MeetingScheduled', positions[0]],
      ['ObserverInvited', positions[1]],
      ['message', positions[2]],
      ['OutcomeRecorded', positions[3]],
    ]);
    expect(JSON.parse(dispatched[2]!.data)).toMatchObject({ type: FORGED_TYPE, data: {} });
  });

  it('resumes after the last event id an EventSource saw, as it does on reconnecting', async () => {
    const live = await startLive();
    const positions = await appendLog(live);
    const first = await connectRaw(live.url);
    await first.reader.caughtUp();
    const seen = onmessage(first.reader.text).slice(0, 2).at(-1)!.lastEventId;
    first.close();
    const again = await connect(live.url, { 'last-event-id': seen });
    await again.reader.caughtUp();
    expect(onmessage(again.reader.text).map((e) => Number(e.lastEventId))).toEqual(positions.slice(2));
  });
});
