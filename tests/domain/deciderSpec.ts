import { expect } from 'vitest';
import type { Decider } from '../../src/application/commandHandler.js';
import type { LedgerError } from '../../src/domain/errors.js';
import type { LedgerEvent } from '../../src/domain/events.js';

/**
 * given(events).when(command).then(events) for a pure decider, as in Emmett's DeciderSpecification:
 * the state is folded from the given events, never built by hand.
 */
export const deciderSpec =
  <C, E extends LedgerEvent, S>(decider: Decider<C, E, S>) =>
  (given: E[]) => {
    const state = given.reduce(decider.evolve, decider.initialState());
    return {
      when: (command: C) => ({
        then: (expected: E[]) => expect(decider.decide(command, state)).toEqual(expected),
        thenNothingHappens: () => expect(decider.decide(command, state)).toEqual([]),
        thenThrows: (errorClass: abstract new (...args: never[]) => LedgerError, code?: string) => {
          let thrown: unknown;
          try {
            decider.decide(command, state);
          } catch (error) {
            thrown = error;
          }
          expect(thrown).toBeInstanceOf(errorClass);
          if (code !== undefined) expect((thrown as LedgerError).code).toBe(code);
        },
      }),
      state,
    };
  };
