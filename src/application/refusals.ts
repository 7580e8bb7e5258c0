import { LedgerError } from '../domain/errors.js';
import type { StoredResponse } from '../eventStore/eventStore.js';
import { IdempotencyKeyReused } from './errors.js';

/** What is kept of a refusal under an Idempotency-Key: enough to raise the same error again. */
export type StoredRefusal = { code: string; title: string; detail: string; extensions: Record<string, unknown> };

/**
 * The refusals a key remembers: the command was heard and decided (404 no such meeting, 412 stale
 * If-Match, 422 a rule). Not remembered: anything refused before it was decided (400, 401, 403, 413,
 * 415), transient failures (409 contention, 503), and the reused key itself.
 */
export const isKeptRefusal = (error: unknown): error is LedgerError =>
  error instanceof LedgerError &&
  [404, 412, 422].includes(error.status) &&
  !(error instanceof IdempotencyKeyReused) &&
  !(error instanceof ReplayedRefusal);

export const refusalRecord = (error: LedgerError): StoredResponse => ({
  status: error.status,
  body: { code: error.code, title: error.title, detail: error.message, extensions: error.extensions },
});

/** A refusal answered again for a retried Idempotency-Key: the same problem as the first time. */
export class ReplayedRefusal extends LedgerError {
  readonly code: string;
  readonly title: string;

  constructor(
    readonly status: number,
    stored: StoredRefusal,
  ) {
    super(stored.detail, stored.extensions);
    this.code = stored.code;
    this.title = stored.title;
  }
}
