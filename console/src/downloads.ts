import { ApiRefusal } from './api.js';
import { h } from './dom.js';

/** A query string of the values that are set (empty inputs are no filter). */
export const queryOf = (values: Record<string, string | undefined>): string => {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) if (value) query.set(name, value);
  const text = query.toString();
  return text ? `?${text}` : '';
};

/** A plain link: the browser sends the session cookie with a same-site GET and saves the attachment. */
export const icsLink = (path: string): HTMLAnchorElement =>
  h('a', { href: path, download: '', class: 'download' }, 'Download iCalendar (.ics)');

const filenameOf = (disposition: string | null, fallback: string): string =>
  /filename="([^"]+)"/.exec(disposition ?? '')?.[1] ?? fallback;

/**
 * A CSV download: the API answers CSV to `Accept: text/csv`, which a link cannot send, so the button
 * fetches it (with the session cookie) and hands the file to the browser under the name the ledger gave.
 */
export const csvButton = (path: string, name: string): HTMLButtonElement => {
  const button = h('button', { type: 'button', class: 'download' }, 'Download CSV');
  button.addEventListener('click', () => {
    void (async () => {
      const response = await fetch(path, { credentials: 'same-origin', headers: { accept: 'text/csv' } });
      if (!response.ok) throw new ApiRefusal(response.status, response.statusText);
      const url = URL.createObjectURL(await response.blob());
      const save = h('a', { href: url, download: filenameOf(response.headers.get('content-disposition'), name) });
      document.body.append(save);
      save.click();
      save.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    })().catch((error: unknown) => {
      button.after(h('span', { role: 'alert' }, ` The CSV could not be fetched: ${String(error)}`));
    });
  });
  return button;
};
