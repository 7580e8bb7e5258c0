import { useEffect } from 'preact/hooks';
import { ApiRefusal } from './api.js';

/** A lost session (expired, token revoked): the console reloads, and then asks to sign in again. */
export const lostSession = (error: unknown): boolean => error instanceof ApiRefusal && error.status === 401;

/** What went wrong, in words: a refusal's detail, else the error as it reads. */
export const reasonOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * For work started from within a page (a filter, the slider, a check): what went wrong, in place.
 * A lost session reloads the console instead.
 */
export const Failure = ({ error }: { error: unknown }) => {
  const lost = lostSession(error);
  useEffect(() => {
    if (lost) location.reload();
  }, [lost]);
  return lost ? null : <p role="alert">The ledger could not answer: {reasonOf(error)}</p>;
};
