import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

/** `Accept: text/csv` asks for the rows as CSV (RFC 4180) instead of JSON. */
export const wantsCsv = (request: FastifyRequest): boolean => /\btext\/csv\b/i.test(request.headers.accept ?? '');

/**
 * `bom=1`: the CSV starts with a UTF-8 byte order mark. Excel opens a CSV without one in the
 * machine's legacy code page (so `Côte d'Ivoire` turns into mojibake); other readers show the mark
 * as a stray character, hence opt-in. A query parameter, not an Accept parameter, because a
 * spreadsheet's "from web" import can set the URL but rarely a header.
 */
export const csvQuery = {
  bom: z.enum(['0', '1']).optional().describe('CSV only: 1 starts the file with a UTF-8 byte order mark (for Excel)'),
};

/** What the representation is, for the ETag: a CSV with a BOM is other bytes than one without. */
export const csvFormat = (bom: '0' | '1' | undefined): string => (bom === '1' ? 'csv-bom' : 'csv');

const CSV = 'text/csv; charset=utf-8; header=present';
const ICS = 'text/calendar; charset=utf-8';
const BOM = '\uFEFF';

/**
 * `attachment; filename="<projection>-<position>.<ext>"`: a browser saves the export under a name
 * that says what and when it is. Built from our own names and a number, it is kept to a safe
 * alphabet all the same, so no quote, slash or line break can ever reach the header.
 */
export const attachment = (name: string, position: number, extension: 'csv' | 'ics'): string => {
  const base = `${name}-${position}`.replace(/[^A-Za-z0-9._-]/g, '_');
  return `attachment; filename="${base}.${extension}"`;
};

type Export = { name: string; position: number; chunks: AsyncIterable<string>; release: () => void };

/** Sends an export as it is produced, a page at a time (see projectionExports), giving back its place when done. */
const send = (reply: FastifyReply, type: string, disposition: string, { chunks, release }: Export) => {
  const body = Readable.from(chunks, { objectMode: false });
  body.once('close', release);
  return reply.type(type).header('Content-Disposition', disposition).send(body);
};

export const sendCsv = (reply: FastifyReply, bom: '0' | '1' | undefined, exported: Export) => {
  const { chunks } = exported;
  async function* withBom() {
    yield BOM;
    yield* chunks;
  }
  const body = bom === '1' ? { ...exported, chunks: withBom() } : exported;
  return send(reply, CSV, attachment(exported.name, exported.position, 'csv'), body);
};

export const sendIcs = (reply: FastifyReply, exported: Export) =>
  send(reply, ICS, attachment(exported.name, exported.position, 'ics'), exported);
