import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { HttpProblem } from './problem.js';

/**
 * What a page cursor carries: the position the first page answered at, where the page ended, the
 * query values the first page fixed (a defaulted `from` = now), and the listing it continues (`on`,
 * see listingOf). Cursors handed out before cursors named their listing have no `on`.
 */
export type Cursor = { at: number; after: unknown; pinned?: Record<string, string>; on?: string };

const shape = z.strictObject({
  at: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  after: z.unknown(),
  pinned: z.record(z.string(), z.string()).optional(),
  on: z.string().optional(),
});

/**
 * The listing a request reads: its route and the values of the route's parameters, so that
 * `/v1/attendance/a` and `/v1/attendance/b` are two listings, however their paths are spelt.
 */
export const listingOf = (request: { routeOptions: { url?: string | undefined }; params: unknown }): string => {
  const params = request.params && typeof request.params === 'object' ? request.params : {};
  const values = Object.entries(params).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return values.length === 0 ? `${request.routeOptions.url}` : `${request.routeOptions.url} ${JSON.stringify(values)}`;
};

const FORM = /^([A-Za-z0-9_-]{1,900})\.([A-Za-z0-9_-]{43})$/;

const badCursor = () =>
  new HttpProblem(400, 'invalid-cursor', 'Invalid cursor', 'cursor must be the `next` of a previous page, unchanged');

const otherListing = () =>
  new HttpProblem(
    400,
    'invalid-cursor',
    'Invalid cursor',
    'this cursor continues another listing: give it to the listing whose page handed it out, or start this one without a cursor',
  );

/**
 * Page cursors signed with an HMAC: a cursor says which position a read answers at, so a forged one
 * would be an asOf read without the role asOf needs. Only cursors this ledger handed out are taken;
 * anything else is a 400.
 */
export class PageCursors {
  private readonly key: Buffer;

  /** `key`: the HMAC key (the ledger derives one from its data directory's signing key); random when absent. */
  constructor(key?: Buffer) {
    this.key = key ?? randomBytes(32);
  }

  encode(cursor: Cursor): string {
    const payload = Buffer.from(JSON.stringify(cursor)).toString('base64url');
    return `${payload}.${this.mac(payload).toString('base64url')}`;
  }

  /**
   * The cursor `text` names, when this ledger handed it out for `listing` (a cursor of another
   * listing, such as another participant's meetings, would read a page of it that the first page never
   * led to).
   */
  decode(text: string, listing: string): Cursor {
    const [, payload = '', mac = ''] = FORM.exec(text) ?? [];
    const given = Buffer.from(mac, 'base64url');
    const expected = this.mac(payload);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw badCursor();
    const parsed = shape.safeParse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
    if (!parsed.success) throw badCursor();
    if (parsed.data.on !== undefined && parsed.data.on !== listing) throw otherListing();
    return parsed.data;
  }

  /** The part of a cursor that says where the page ended, checked against the shape a route expects. */
  static after<T>(schema: z.ZodType<T>, after: unknown): T | undefined {
    if (after === undefined || after === null) return undefined;
    const parsed = schema.safeParse(after);
    if (!parsed.success) throw badCursor();
    return parsed.data;
  }

  private mac(payload: string): Buffer {
    return createHmac('sha256', this.key).update(payload).digest();
  }
}
