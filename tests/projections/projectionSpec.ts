import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { meetingStream, memberStream, type LedgerEvent } from '../../src/domain/events.js';
import type { StoredEvent } from '../../src/eventStore/eventStore.js';
import type { Projection } from '../../src/projections/projection.js';
import { ProjectionEngine } from '../../src/projections/projectionEngine.js';
import { ProjectionDatabase } from '../../src/projections/store/projectionDatabase.js';

export const streamOf = (event: LedgerEvent): string =>
  event.type === 'MemberAdmitted' ? memberStream(event.data.memberId) : meetingStream(event.data.meetingId);

/** Events as the log would hand them to a follower: positions from 1, one minute apart from 5 July 2017. */
export const stored = (events: readonly LedgerEvent[]): StoredEvent[] =>
  events.map((event, index) => ({
    eventId: randomUUID(),
    streamId: streamOf(event),
    revision: 0,
    position: index + 1,
    type: event.type,
    data: JSON.stringify(event.data),
    metadata: '{}',
    recordedAt: new Date(Date.UTC(2017, 6, 5, 12, index)).toISOString(),
  }));

/** A projection database in memory, with the pages given applied in order. */
export const projectedDatabase = (projection: Projection, ...pages: readonly StoredEvent[][]): ProjectionDatabase => {
  const database = new ProjectionDatabase(':memory:');
  const engine = new ProjectionEngine(database, { projections: [projection] });
  for (const page of pages) {
    if (page.length === 0) continue;
    engine.apply(page);
    engine.idle();
  }
  return database;
};

/** How a test reads a projection: its whole answer to a query, as of a position. */
export type Read<Q, R> = (database: ProjectionDatabase, query: Q, at: number) => R;

/**
 * given(events).then(answer) for a projection: the events are applied to a fresh database through
 * the engine, and `then` checks what `read` answers at the head. Every `then` also checks the two
 * things that make the rows trustworthy: applied in two pages split after any event (a restart),
 * they answer the same; and the full database asked as of any earlier position answers exactly as
 * a database built from the events up to that position alone (time travel equals replay).
 */
export const projectionSpec =
  <Q, R>(projection: Projection, read: Read<Q, R>, everything: Q) =>
  (given: readonly LedgerEvent[]) => {
    const events = stored(given);
    const head = events.length;
    const database = projectedDatabase(projection, events);
    const answer = (q: Q, at = head): R => read(database, q, at);
    const then = (expected: R, q: Q) => {
      expect(answer(q)).toEqual(expected);
      for (let stop = 0; stop <= head; stop++) {
        const resumed = projectedDatabase(projection, events.slice(0, stop), events.slice(stop));
        expect(read(resumed, q, head), `resumed after event ${stop}`).toEqual(expected);
        void resumed.close();
        const replayed = projectedDatabase(projection, events.slice(0, stop));
        expect(answer(q, stop), `as of position ${stop}`).toEqual(read(replayed, q, stop));
        void replayed.close();
      }
    };
    return {
      database,
      answer,
      then: (expected: R) => then(expected, everything),
      when: (q: Q) => ({ then: (expected: R) => then(expected, q) }),
    };
  };
