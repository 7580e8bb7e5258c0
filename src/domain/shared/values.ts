import { z } from 'zod';

// Lone UTF-16 surrogates survive JSON.parse but not a round trip through storage; control characters
// other than tab and newlines have no place in minutes. Both are refused rather than silently altered.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

/** Free text as recorded: never trimmed or rewritten, but never blank and never carrying control bytes. */
export const text = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((s) => s.trim().length > 0, 'must not be blank')
    .refine((s) => !CONTROL_CHARACTER.test(s), 'must not contain control characters')
    .refine((s) => !LONE_SURROGATE.test(s), 'must be well-formed Unicode');

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** Lower-case words joined by hyphens: `african-union`, `lake-chad-basin`. */
export const slug = z.string().min(1).max(64).regex(SLUG, 'must be a lower-case slug like lake-chad-basin');
/** A forum may have one sub-level: `plenary`, `working-group/counter-finance`. */
export const forumSlug = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*(?:\/[a-z0-9]+(?:-[a-z0-9]+)*)?$/, 'must be a slug, optionally with one sub-level');

export const ulidString = z
  .string()
  .regex(/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/, 'must be a ULID (26 Crockford base32 characters)');

/** An instant with an explicit offset, normalised to UTC so equal instants compare equal. */
export const instant = z
  .string()
  .max(40)
  .pipe(z.iso.datetime({ offset: true }))
  .refine((s) => !Number.isNaN(Date.parse(s)), 'must be a real date and time')
  .transform((s) => new Date(s).toISOString())
  // An offset can push year 9999 into 10000, whose ISO form no longer sorts or compares as text.
  .refine((s) => /^\d{4}-/.test(s), 'must fall between the years 0000 and 9999 in UTC')
  .describe('An ISO 8601 instant with an offset, e.g. 2017-07-13T09:00:00-04:00; stored in UTC');

/**
 * An instant exactly as `Date.prototype.toISOString` writes it (UTC, milliseconds, `Z`): the form
 * recorded times are stored in, which the stores compare as text.
 */
export const utcInstant = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, 'must be a UTC instant like 2017-07-13T13:00:00.000Z')
  .refine((s) => {
    const date = new Date(s);
    return !Number.isNaN(date.getTime()) && date.toISOString() === s;
  }, 'must be a real date and time');

/** A calendar date (YYYY-MM-DD) that exists. */
export const calendarDate = z
  .string()
  .max(10)
  .pipe(z.iso.date())
  .refine((s) => {
    // zod runs refinements even after a failed format check, so the string may not be a date at all.
    const date = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(s);
  }, 'must be a real date')
  .describe('A calendar date, YYYY-MM-DD');

export const participantKind = z.enum(['state', 'organization']);
