import { hash } from 'node:crypto';
import Database from '../../src/sqliteDriver.js';

/**
 * What the offline work could cost at best on this machine, measured in this run: one
 * single-threaded pass over the `events` table a page at a time, doing the least each job must do
 * with every row. "Raw read + JSON.parse" parses data and metadata (the floor of any rebuild);
 * "raw read + SHA-256" hashes them once (the floor of any verification).
 */
type Row = { data: string; metadata: string };
const PAGE = 2_000;

/** `work` returns a number that is summed, so that none of it can be optimised away. */
const pass = (file: string, work: (row: Row) => number): { ms: number; rows: number; checksum: number } => {
  const db = new Database(file, { readonly: true });
  try {
    const page = db.prepare<[number, number], Row & { position: number }>(
      'SELECT * FROM events WHERE position > ? ORDER BY position LIMIT ?',
    );
    const started = performance.now();
    let rows = 0;
    let checksum = 0;
    for (let after = 0; ;) {
      const batch = page.all(after, PAGE);
      for (const row of batch) checksum += work(row);
      rows += batch.length;
      if (batch.length < PAGE) break;
      after = batch.at(-1)?.position ?? after;
    }
    return { ms: performance.now() - started, rows, checksum };
  } finally {
    db.close();
  }
};

export const readAndParse = (file: string) =>
  pass(file, (row) => {
    const data = JSON.parse(row.data) as unknown;
    const metadata = JSON.parse(row.metadata) as unknown;
    return (data === null ? 0 : 1) + (metadata === null ? 0 : 1);
  });

export const readAndHash = (file: string) => pass(file, (row) => hash('sha256', row.data + row.metadata).length);
