import * as grpc from '@grpc/grpc-js';
import featuresGrpc from '@eventstore/db-client/generated/serverfeatures_grpc_pb.js';
import featuresPb from '@eventstore/db-client/generated/serverfeatures_pb.js';
import sharedPb from '@eventstore/db-client/generated/shared_pb.js';
import statusPb from '@eventstore/db-client/generated/status_pb.js';
import streamsGrpc from '@eventstore/db-client/generated/streams_grpc_pb.js';
import streamsPb from '@eventstore/db-client/generated/streams_pb.js';
import anyPb from 'google-protobuf/google/protobuf/any_pb.js';
import emptyPb from 'google-protobuf/google/protobuf/empty_pb.js';

/**
 * A WIRE FAKE of EventStoreDB: NOT EventStoreDB, and never EventStoreDB coverage. An in-process gRPC
 * server built from the client's own generated service definitions, with a minimal in-memory log,
 * so tests can see what the adapter puts on the wire and how it reads the answers. It speaks the
 * subset the adapter uses: ServerFeatures, Append or BatchAppend (the features it announces decide
 * which the client uses), Read of a stream or `$all` (with StreamNotFound), and a live `$all`
 * subscription from the end. Positions imitate log offsets: strictly increasing, not dense, and
 * reading `$all` from a position that is not an event's is refused as the server does.
 */
export type Expected = 'any' | 'no_stream' | 'stream_exists' | bigint;
export type ReceivedEvent = { id: string; type: string; contentType: string; data: string; metadata: string };
type Via = 'append' | 'batchAppend';
export type ReceivedAppend = { via: Via; streamId: string; expected: Expected; events: ReceivedEvent[] };
type Stored = ReceivedEvent & { streamId: string; revision: number; position: number; createdMs: number };
type Outcome = { ok: true; revision: string; at: string } | { ok: false; current: number };
type ReadCall = grpc.ServerWritableStream<streamsPb.ReadReq, streamsPb.ReadResp>;
type Options = streamsPb.AppendReq.Options | streamsPb.BatchAppendReq.Options;
type Revision = string | false | undefined;

const utf8 = (bytes: Uint8Array | string) => (typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8'));
const identifier = (streamId: string) => new sharedPb.StreamIdentifier().setStreamName(Buffer.from(streamId));
const received = (message: streamsPb.AppendReq.ProposedMessage | streamsPb.BatchAppendReq.ProposedMessage) => ({
  id: message.getId()?.getString() ?? '',
  type: message.getMetadataMap().get('type') ?? '',
  contentType: message.getMetadataMap().get('content-type') ?? '',
  data: utf8(message.getData_asU8()),
  metadata: utf8(message.getCustomMetadata_asU8()),
});
const expectedOf = (options: Options | undefined, revision: Revision): Expected => {
  if (revision) return BigInt(revision);
  if (options?.hasNoStream()) return 'no_stream';
  return options?.hasStreamExists() ? 'stream_exists' : 'any';
};
const fail = (call: { emit: (event: 'error', error: object) => boolean }, code: grpc.status, details: string) =>
  void call.emit('error', { code, details });

export class EsdbWireFake {
  readonly log: Stored[] = [];
  readonly appends: ReceivedAppend[] = [];
  /** Applies the next append, then drops its connection instead of answering (a lost acknowledgement). */
  loseNextAck = false;
  private server: grpc.Server | undefined;
  private readonly live = new Set<{ call: ReadCall; regex?: RegExp }>();
  private nextPosition = 1_000;

  private constructor(
    readonly appendVia: Via,
    public port = 0,
  ) {}

  static async start(appendVia: Via = 'batchAppend'): Promise<EsdbWireFake> {
    const fake = new EsdbWireFake(appendVia);
    await fake.restart();
    return fake;
  }

  get connectionString(): string {
    return `esdb://127.0.0.1:${this.port}?tls=false`;
  }

  /** Serves again on the same port, with the same log (a durable server coming back). */
  async restart(): Promise<void> {
    const server = new grpc.Server();
    server.addService(featuresGrpc.ServerFeaturesService, { getSupportedMethods: this.features });
    server.addService(streamsGrpc.StreamsService, { read: this.read, append: this.append, batchAppend: this.batch });
    this.port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`127.0.0.1:${this.port}`, grpc.ServerCredentials.createInsecure(), (error, port) =>
        error ? reject(error) : resolve(port),
      ),
    );
    this.server = server;
  }

  /** Drops every connection and stops listening, as a killed server does. */
  stop(): void {
    this.server?.forceShutdown();
    this.server = undefined;
    this.live.clear();
  }

  /** Appends as EventStoreDB itself does (statistics, settings): events the adapter must never show. */
  writeSystemEvent(streamId = '$stats-127.0.0.1:2113', type = '$statsCollected'): void {
    const event = { id: crypto.randomUUID(), type, contentType: 'application/json', data: '{}', metadata: '' };
    this.apply(streamId, 'any', [event]);
  }

  private readonly features: grpc.handleUnaryCall<sharedPb.Empty, featuresPb.SupportedMethods> = (_, done) => {
    const names = ['Read', 'Append', ...(this.appendVia === 'batchAppend' ? ['BatchAppend'] : [])];
    const methods = names.map((name) =>
      new featuresPb.SupportedMethod().setServiceName('event_store.client.streams.Streams').setMethodName(name),
    );
    done(null, new featuresPb.SupportedMethods().setEventStoreServerVersion('24.10-wire-fake').setMethodsList(methods));
  };

  private receive(via: Via, options: Options | undefined, revision: Revision, events: ReceivedEvent[]) {
    const streamId = utf8(options?.getStreamIdentifier()?.getStreamName() ?? '');
    const append = { via, streamId, expected: expectedOf(options, revision), events };
    this.appends.push(append);
    const lost = this.loseNextAck;
    this.loseNextAck = false;
    return { streamId: append.streamId, outcome: this.apply(append.streamId, append.expected, events), lost };
  }

  private apply(streamId: string, expected: Expected, events: ReceivedEvent[]): Outcome {
    const current = this.log.filter((event) => event.streamId === streamId).length - 1;
    const fits =
      expected === 'any' ||
      (expected === 'no_stream' && current === -1) ||
      (expected === 'stream_exists' && current >= 0) ||
      (typeof expected === 'bigint' && BigInt(current) === expected);
    if (!fits) return { ok: false, current };
    const stored = events.map((event, index) => {
      const position = this.nextPosition;
      this.nextPosition += 100 + event.data.length + event.metadata.length;
      return { ...event, streamId, revision: current + index + 1, position, createdMs: Date.now() };
    });
    this.log.push(...stored);
    for (const { call, regex } of this.live) {
      for (const event of stored) if (regex?.test(event.type) ?? true) call.write(this.readResp(event));
    }
    const last = stored.at(-1);
    return { ok: true, revision: String(last?.revision ?? current), at: String(last?.position ?? 0) };
  }

  private readonly append: grpc.handleClientStreamingCall<streamsPb.AppendReq, streamsPb.AppendResp> = (call, done) => {
    let options: streamsPb.AppendReq.Options | undefined;
    const events: ReceivedEvent[] = [];
    call.on('data', (request: streamsPb.AppendReq) => {
      options ??= request.getOptions();
      const message = request.getProposedMessage();
      if (message) events.push(received(message));
    });
    call.on('end', () => {
      const { outcome, lost } = this.receive(
        'append',
        options,
        options?.hasRevision() && options.getRevision(),
        events,
      );
      if (lost) return done({ code: grpc.status.UNAVAILABLE, details: 'connection lost' });
      const response = new streamsPb.AppendResp();
      if (outcome.ok) {
        const at = new streamsPb.AppendResp.Position().setCommitPosition(outcome.at).setPreparePosition(outcome.at);
        response.setSuccess(new streamsPb.AppendResp.Success().setCurrentRevision(outcome.revision).setPosition(at));
      } else {
        const wrong = new streamsPb.AppendResp.WrongExpectedVersion();
        if (outcome.current >= 0) wrong.setCurrentRevision(String(outcome.current));
        else wrong.setCurrentNoStream(new sharedPb.Empty());
        response.setWrongExpectedVersion(wrong);
      }
      done(null, response);
    });
  };

  private readonly batch: grpc.handleBidiStreamingCall<streamsPb.BatchAppendReq, streamsPb.BatchAppendResp> = (
    call,
  ) => {
    const batches = new Map<string, { options?: streamsPb.BatchAppendReq.Options; events: ReceivedEvent[] }>();
    call.on('data', (request: streamsPb.BatchAppendReq) => {
      const correlation = request.getCorrelationId()?.getString() ?? '';
      const batch = batches.get(correlation) ?? { options: request.getOptions(), events: [] };
      batch.events.push(...request.getProposedMessagesList().map(received));
      batches.set(correlation, batch);
      if (!request.getIsFinal()) return;
      batches.delete(correlation);
      const { options, events } = batch;
      const revision = options?.hasStreamPosition() && options.getStreamPosition();
      const { streamId, outcome, lost } = this.receive('batchAppend', options, revision, events);
      if (lost) return fail(call, grpc.status.UNAVAILABLE, 'connection lost');
      const response = new streamsPb.BatchAppendResp().setCorrelationId(request.getCorrelationId());
      response.setStreamIdentifier(identifier(streamId));
      if (outcome.ok) {
        const at = new sharedPb.AllStreamPosition().setCommitPosition(outcome.at).setPreparePosition(outcome.at);
        response.setSuccess(
          new streamsPb.BatchAppendResp.Success().setCurrentRevision(outcome.revision).setPosition(at),
        );
      } else {
        const wrong = new sharedPb.WrongExpectedVersion();
        if (outcome.current >= 0) wrong.setCurrentStreamRevision(String(outcome.current));
        else wrong.setCurrentNoStream(new emptyPb.Empty());
        const details = new anyPb.Any();
        details.pack(wrong.serializeBinary(), 'event_store.client.WrongExpectedVersion');
        response.setError(new statusPb.Status().setMessage('WrongExpectedVersion').setDetails(details));
      }
      call.write(response);
    });
    call.on('end', () => call.end());
  };

  private readonly read: grpc.handleServerStreamingCall<streamsPb.ReadReq, streamsPb.ReadResp> = (call) => {
    const options = call.request.getOptions();
    if (options?.hasSubscription()) return this.subscribe(call, options);
    const backwards = options?.getReadDirection() === streamsPb.ReadReq.Options.ReadDirection.BACKWARDS;
    const all = options?.getAll();
    const stream = options?.getStream();
    let events: Stored[];
    if (all) {
      const from = all.hasPosition() ? Number(all.getPosition()?.getCommitPosition()) : undefined;
      if (from !== undefined && from !== this.nextPosition && !this.log.some((event) => event.position === from)) {
        return fail(call, grpc.status.INVALID_ARGUMENT, 'Trying to read from an invalid position.');
      }
      // Forwards from a position includes the event there; backwards from it, only the events before it.
      const begin = all.hasEnd() ? Infinity : (from ?? 0);
      events = backwards
        ? this.log.filter((event) => all.hasStart() || event.position < begin).reverse()
        : this.log.filter((event) => event.position >= begin);
    } else {
      const streamId = utf8(stream?.getStreamIdentifier()?.getStreamName() ?? '');
      const inStream = this.log.filter((event) => event.streamId === streamId);
      if (inStream.length === 0) {
        const notFound = new streamsPb.ReadResp.StreamNotFound().setStreamIdentifier(identifier(streamId));
        call.write(new streamsPb.ReadResp().setStreamNotFound(notFound));
        return call.end();
      }
      const from = stream?.hasRevision() ? Number(stream.getRevision()) : stream?.hasStart() ? 0 : Infinity;
      events = backwards
        ? inStream.filter((event) => event.revision <= from).reverse()
        : inStream.filter((event) => event.revision >= from);
    }
    for (const event of events.slice(0, Number(options?.getCount() ?? 0))) call.write(this.readResp(event));
    call.end();
  };

  private subscribe(call: ReadCall, options: streamsPb.ReadReq.Options): void {
    if (!options.getAll()?.hasEnd()) return fail(call, grpc.status.UNIMPLEMENTED, 'the fake subscribes from the end');
    const regex = options.getFilter()?.getEventType()?.getRegex();
    const subscriber = { call, regex: regex ? new RegExp(regex) : undefined };
    this.live.add(subscriber);
    call.on('cancelled', () => this.live.delete(subscriber));
    const confirmation = new streamsPb.ReadResp.SubscriptionConfirmation().setSubscriptionId('wire-fake');
    call.write(new streamsPb.ReadResp().setConfirmation(confirmation));
  }

  private readResp(event: Stored): streamsPb.ReadResp {
    const recorded = new streamsPb.ReadResp.ReadEvent.RecordedEvent()
      .setId(new sharedPb.UUID().setString(event.id))
      .setStreamIdentifier(identifier(event.streamId))
      .setStreamRevision(String(event.revision))
      .setCommitPosition(String(event.position))
      .setPreparePosition(String(event.position))
      .setData(Buffer.from(event.data))
      .setCustomMetadata(Buffer.from(event.metadata));
    const metadata = recorded.getMetadataMap();
    metadata.set('type', event.type);
    metadata.set('content-type', event.contentType);
    metadata.set('created', String(BigInt(event.createdMs) * 10_000n)); // .NET ticks since the Unix epoch
    const read = new streamsPb.ReadResp.ReadEvent().setEvent(recorded).setCommitPosition(String(event.position));
    return new streamsPb.ReadResp().setEvent(read);
  }
}
