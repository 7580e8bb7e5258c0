import type { ExpectedRevision } from './eventStore.js';

/** Whether a stream at `current` (-1 for none) satisfies what an append expects of it. */
export const checkExpectedRevision = (expected: ExpectedRevision, current: number): boolean => {
  switch (expected) {
    case 'any':
      return true;
    case 'no_stream':
      return current === -1;
    case 'stream_exists':
      return current >= 0;
    default:
      return current === expected;
  }
};
