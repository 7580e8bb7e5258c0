import { ApiRefusal } from './api.js';
import { h, show } from './dom.js';

/**
 * For work started from within a page (a filter, the slider, a check): shows what went wrong in
 * `where`. A lost session (401) reloads the console, which then asks to sign in again.
 */
export const showFailure =
  (where: HTMLElement) =>
  (error: unknown): void => {
    if (error instanceof ApiRefusal && error.status === 401) return location.reload();
    where.setAttribute('aria-busy', 'false');
    const reason = error instanceof Error ? error.message : String(error);
    show(where, h('p', { role: 'alert' }, `The ledger could not answer: ${reason}`));
  };
