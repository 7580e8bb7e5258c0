import { StoreUnavailable } from './errors.js';

/**
 * SQLSTATEs that mean the database cannot serve now, as opposed to a bug in a query: 08 connection
 * exception, 53 insufficient resources (disk full, too many connections), 57P admin/crash shutdown,
 * 57014 statement timeout, 55P03 lock timeout, 25006 read-only, 40001/40P01 serialization/deadlock.
 */
const UNAVAILABLE_SQLSTATE = /^(08|53|57P|57014|55P03|25006|40001|40P01)/;
const SQLSTATE = /^[0-9A-Z]{5}$/;

/**
 * Whether a pg error means the database could not be reached or cannot write now (so the caller may
 * retry later). Errors from the driver or the pool carry no SQLSTATE (a dropped socket, a connect
 * timeout, a pool that is ending): those are the database being away too. A JavaScript TypeError,
 * RangeError or SyntaxError is a bug of ours and stays one.
 */
export const isUnavailable = (error: unknown): boolean => {
  if (!(error instanceof Error)) return false;
  if (error instanceof TypeError || error instanceof RangeError || error instanceof SyntaxError) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && SQLSTATE.test(code)) return UNAVAILABLE_SQLSTATE.test(code);
  return true;
};

/** Rethrows `error` as StoreUnavailable when the database is the problem, unchanged otherwise. */
export const asStoreError = (error: unknown, detail: string): unknown =>
  isUnavailable(error) ? new StoreUnavailable(detail, 1, { cause: error }) : error;
