import { LedgerError } from '../domain/errors.js';
import type { ExpectedRevision, IdempotencyRecord } from './eventStore.js';

/** The stream was not at the revision the append expected; nothing was appended. */
export class WrongExpectedVersion extends LedgerError {
  readonly code = 'wrong-expected-version';
  readonly status = 409;
  readonly title = 'The stream has moved on';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: number,
  ) {
    super(`Stream ${streamId} is at revision ${actual}, expected ${String(expected)}`, { currentRevision: actual });
  }
}

/** An idempotent append whose key was already committed; carries what was committed under it. */
export class IdempotencyKeyUsed extends Error {
  constructor(readonly record: IdempotencyRecord) {
    super(`Idempotency key already used`);
  }
}

/** The store cannot be reached or cannot write; the caller may retry later. */
export class StoreUnavailable extends LedgerError {
  readonly code = 'store-unavailable';
  readonly status = 503;
  readonly title = 'The ledger cannot reach its store';
  constructor(
    detail = 'The event store is unavailable; retry later',
    readonly retryAfterSeconds = 1,
    options?: { cause?: unknown },
  ) {
    super(detail);
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

/** The store was closed by this process (shutting down): followers end instead of waiting for it. */
export class StoreClosed extends StoreUnavailable {
  constructor() {
    super('The event store is closed', 2);
  }
}
