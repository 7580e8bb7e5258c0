import type { LedgerEvent, LedgerEventType } from '../domain/events.js';

/** An event as a projection sees it: the domain event plus where and when it sits in the log. */
export type ProjectedEvent = LedgerEvent & { position: number; recordedAt: string; streamId: string };

/**
 * A projection is data: a name, a version, the event types it handles, an initial state and an
 * `evolve`. `evolve` is deterministic (no clock, no I/O, no randomness), so replaying the log from
 * zero always gives the same state. For speed on long logs it may update the state it is given in
 * place and return it: a state belongs to exactly one runner or replay, never shared while evolving.
 * States are plain JSON (records and arrays), so they can be stored beside their checkpoint.
 * Bump `version` whenever `evolve` or the state's shape changes: the runner then rebuilds from zero.
 */
export type Projection<S> = {
  name: string;
  version: number;
  eventTypes: readonly LedgerEventType[];
  initialState: () => S;
  evolve: (state: S, event: ProjectedEvent) => S;
};

export type AnyProjection = Projection<unknown>;

export const handles = (projection: { eventTypes: readonly string[] }, type: string): boolean =>
  projection.eventTypes.includes(type);

/** Folds events into a projection's state, skipping the types it does not handle. */
export const fold = <S>(
  projection: Projection<S>,
  events: Iterable<ProjectedEvent>,
  state = projection.initialState(),
): S => {
  let current = state;
  for (const event of events) if (handles(projection, event.type)) current = projection.evolve(current, event);
  return current;
};
