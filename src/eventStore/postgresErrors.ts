import { StoreUnavailable } from './errors.js';

/**
 * Whether a pg error means the database could not be reached or cannot write now (so the caller may
 * retry later), as opposed to a bug in a query. SQLSTATE classes: 08 connection exception, 53
 * insufficient resources (disk full, too many connections), 57P admin/crash shutdown, 25006 read-only.
 */
export const isUnavailable = (error: unknown): boolean => {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (/^(08|53|57P)/.test(code) || code === '25006') return true;
    if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH'].includes(code)) return true;
  }
  // node-postgres reports a dropped socket without a code.
  return (
    typeof message === 'string' &&
    /Connection terminated|connection timeout|Client has encountered a connection error/i.test(message)
  );
};

/** Rethrows `error` as StoreUnavailable when the database is the problem, unchanged otherwise. */
export const asStoreError = (error: unknown, detail: string): unknown =>
  isUnavailable(error) ? new StoreUnavailable(detail, 1, { cause: error }) : error;
