import { useState } from 'preact/hooks';
import { ApiRefusal } from './api.js';
import { reasonOf } from './failure.js';

/** A query string of the values that are set (empty inputs are no filter). */
export const queryOf = (values: Record<string, string | undefined>): string => {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) if (value) query.set(name, value);
  const text = query.toString();
  return text ? `?${text}` : '';
};

/** A plain link: the browser sends the session cookie with a same-site GET and saves the attachment. */
export const IcsLink = ({ path }: { path: string }) => (
  <a href={path} download="" class="download">
    Download iCalendar (.ics)
  </a>
);

const filenameOf = (disposition: string | null, fallback: string): string =>
  /filename="([^"]+)"/.exec(disposition ?? '')?.[1] ?? fallback;

/** Fetches the CSV with the session cookie and hands the file to the browser under the name the ledger gave. */
const saveCsv = async (path: string, name: string): Promise<void> => {
  const response = await fetch(path, { credentials: 'same-origin', headers: { accept: 'text/csv' } });
  if (!response.ok) throw new ApiRefusal(response.status, response.statusText);
  const url = URL.createObjectURL(await response.blob());
  const save = document.createElement('a');
  save.href = url;
  save.download = filenameOf(response.headers.get('content-disposition'), name);
  document.body.append(save);
  save.click();
  save.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
};

/**
 * A CSV download: the API answers CSV to `Accept: text/csv`, which a link cannot send, so the button
 * fetches it itself.
 */
export const CsvButton = ({ path, name }: { path: string; name: string }) => {
  const [failure, setFailure] = useState('');
  const download = () => {
    setFailure('');
    saveCsv(path, name).catch((error: unknown) => setFailure(` The CSV could not be fetched: ${reasonOf(error)}`));
  };
  return (
    <>
      <button type="button" class="download" onClick={download}>
        Download CSV
      </button>
      {failure && <span role="alert">{failure}</span>}
    </>
  );
};
