import { expect } from 'vitest';
import { meetingStream, memberStream, type LedgerEvent } from '../../src/domain/events.js';
import { fold, type ProjectedEvent, type Projection } from '../../src/projections/projection.js';

export const streamOf = (event: LedgerEvent): string =>
  event.type === 'MemberAdmitted' ? memberStream(event.data.memberId) : meetingStream(event.data.meetingId);

/** Events as the log would hand them to a projection: positions from 1, one minute apart from 5 July 2017. */
export const projected = (events: readonly LedgerEvent[]): ProjectedEvent[] =>
  events.map((event, index) => ({
    ...structuredClone(event),
    position: index + 1,
    recordedAt: new Date(Date.UTC(2017, 6, 5, 12, index)).toISOString(),
    streamId: streamOf(event),
  }));

const throughJson = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/**
 * given(events).then(answer) for a pure projection: the state is folded from the events with `fold`,
 * never built by hand, and `then` checks what `query` answers from it. Every `then` also checks
 * that a runner stopped after any event (its state saved as JSON) and resumed would answer the same.
 */
export const projectionSpec =
  <S, Q, R>(projection: Projection<S>, query: (state: S, q: Q) => R, everything: Q) =>
  (given: readonly LedgerEvent[]) => {
    const events = projected(given);
    const state = fold(projection, events);
    const answer = (q: Q): R => query(state, q);
    const then = (expected: R, q: Q) => {
      expect(answer(q)).toEqual(expected);
      for (let stop = 0; stop <= events.length; stop++) {
        const saved = throughJson(fold(projection, events.slice(0, stop)));
        const resumed = fold(projection, events.slice(stop), saved);
        expect(query(resumed, q), `resumed after event ${stop}`).toEqual(expected);
      }
    };
    return {
      state,
      answer,
      then: (expected: R) => then(expected, everything),
      when: (q: Q) => ({ then: (expected: R) => then(expected, q) }),
    };
  };
