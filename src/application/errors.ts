import { DomainRuleViolation, LedgerError } from '../domain/errors.js';

/** `If-Match` named a revision the stream is no longer (or not yet) at. */
export class PreconditionFailed extends LedgerError {
  readonly code = 'precondition-failed';
  readonly status = 412;
  readonly title = 'The resource has changed';
  constructor(streamId: string, expected: number, currentRevision: number) {
    super(`If-Match expected revision ${expected} of ${streamId}, which is at revision ${currentRevision}`, {
      currentRevision,
    });
  }
}

/** The same Idempotency-Key was sent with a different request. */
export class IdempotencyKeyReused extends LedgerError {
  readonly code = 'idempotency-key-reused';
  readonly status = 422;
  readonly title = 'The Idempotency-Key was already used for another request';
  constructor() {
    super('This Idempotency-Key was used before with a different request; use a new key for a new request');
  }
}

/** Retries on fresh state kept losing to concurrent writers; the client may simply try again. */
export class ConcurrencyConflict extends LedgerError {
  readonly code = 'concurrency-conflict';
  readonly status = 409;
  readonly title = 'Too many concurrent changes';
  constructor(streamId: string, attempts: number) {
    super(`Stream ${streamId} kept changing during ${attempts} attempts; try again`);
  }
}

/** Every command folds its stream: one that grew past the configured length takes no more events. */
export class StreamFull extends DomainRuleViolation {
  constructor(streamId: string, limit: number) {
    super('stream-limit', `${streamId} holds the most events it may (${limit})`, { limit, setting: 'eventsPerStream' });
  }
}
