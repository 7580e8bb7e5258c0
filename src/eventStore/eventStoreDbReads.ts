import {
  BACKWARDS,
  END,
  FORWARDS,
  START,
  StreamNotFoundError,
  type Direction,
  type EventStoreDBClient,
  type ReadPosition,
} from '@eventstore/db-client';
import { StoreUnavailable } from './errors.js';
import type { ReadStreamOptions, RecordedEvent } from './eventStore.js';
import {
  asStoreError,
  toEsdbPosition,
  toPortPosition,
  toRecordedEvent,
  type AnyResolvedEvent,
} from './eventStoreDbMapping.js';

const PAGE = 500;

/** The reading half of the EventStoreDB adapter: streams and `$all`, in the port's terms. */
export class EventStoreDbReads {
  constructor(private readonly client: EventStoreDBClient) {}

  async stream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const direction = options.direction ?? 'forwards';
    const maxCount = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    if (maxCount <= 0) return [];
    const from = options.fromRevision ?? (direction === 'forwards' ? 'start' : 'end');
    const fromRevision = from === 'start' ? START : from === 'end' ? END : BigInt(from);
    const read = () =>
      this.client.readStream(streamId, {
        fromRevision,
        maxCount,
        direction: direction === 'forwards' ? FORWARDS : BACKWARDS,
      });
    return (await this.collect(read)).flatMap((resolved) => toRecordedEvent(resolved) ?? []);
  }

  /**
   * `$all` read from a position includes the event there, so each page starts at the last position
   * seen and drops what it already had. A position that is not an event's (EventStoreDB refuses to
   * read from inside a record) is first moved back to the last event before it.
   */
  async all(after: number, maxCount: number): Promise<RecordedEvent[]> {
    const found: RecordedEvent[] = [];
    let cursor = after;
    const pageSize = () => Math.min(PAGE, maxCount - found.length + 1);
    let page = await this.page(after > 0 ? toEsdbPosition(after) : START, pageSize(), FORWARDS).catch(
      (error: unknown) => this.fromFloor(error, after, pageSize()),
    );
    for (;;) {
      const requested = pageSize();
      for (const resolved of page) {
        const position = toPortPosition(resolved.event?.position);
        if (position <= cursor) continue;
        cursor = position;
        const event = toRecordedEvent(resolved);
        if (event) found.push(event);
        if (found.length >= maxCount) return found;
      }
      if (page.length < requested) return found;
      page = await this.page(toEsdbPosition(cursor), pageSize(), FORWARDS);
    }
  }

  private async fromFloor(error: unknown, after: number, maxCount: number): Promise<AnyResolvedEvent[]> {
    if (after <= 0 || error instanceof StoreUnavailable) throw error;
    const floor = await this.lastPositionWhere((resolved) => toPortPosition(resolved.event?.position) < after);
    return this.page(floor === undefined ? START : toEsdbPosition(floor), maxCount, FORWARDS);
  }

  /**
   * The position of the newest event of `$all` that `matches`, read backwards a page at a time.
   * EventStoreDB has no time or type index on `$all`: the cost grows with the events after the match.
   */
  async lastPositionWhere(
    matches: (resolved: AnyResolvedEvent) => boolean,
    pageSize = PAGE,
  ): Promise<number | undefined> {
    let from: ReadPosition = END;
    for (;;) {
      const page = await this.page(from, pageSize, BACKWARDS);
      const match = page.find(matches);
      if (match) return toPortPosition(match.event?.position);
      const oldest = page.at(-1);
      if (page.length < pageSize || !oldest) return undefined;
      // Backwards from an event's position gives only the events before it.
      from = toEsdbPosition(toPortPosition(oldest.event?.position));
    }
  }

  page(fromPosition: ReadPosition, maxCount: number, direction: Direction): Promise<AnyResolvedEvent[]> {
    return this.collect(() => this.client.readAll({ fromPosition, maxCount, direction }));
  }

  /** Drains one read; a missing stream (reported while iterating, not at the call) reads as empty. */
  private async collect(read: () => AsyncIterable<AnyResolvedEvent>): Promise<AnyResolvedEvent[]> {
    const events: AnyResolvedEvent[] = [];
    try {
      for await (const resolved of read()) events.push(resolved);
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw asStoreError(error, 'EventStoreDB could not be read; retry later');
    }
    return events;
  }
}
