import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Every SQL statement takes request values as parameters ($1, ?, @name), never by interpolation.
 * This reads the sources: a template literal that looks like SQL may interpolate only the constants
 * and configuration values listed here, none of which comes from a request.
 */
const allowed = new Set([
  'COLUMNS', // a constant column list
  'APPEND_CHANNEL', // a constant channel name
  'quoted', // the configured schema, quoted as an identifier
  'quoteIdentifier(schema)', // the same
  "options.synchronous ?? 'FULL'", // configuration, validated to FULL or NORMAL
  'options.cacheKiB ?? 65_536', // configuration, a number
  'version + 1', // the migration counter
  // Projections: fragments and names that are constants of the code, never values.
  'HOLDS_AT', // the temporal condition "valid_from <= @at AND valid_to > @at"
  'CURRENT', // the valid_to of a current row, a number
  'ENTRY', // a constant column list of the timeline
  'LISTED', // constant conditions of the timeline, with @parameters
  'AFTER',
  'BEFORE',
  'table', // a projection's own table name, from its definition
  // TemporalTable: table and column names given by the code, each checked against /^[a-z][a-z0-9_]*$/
  'name',
  'match',
  'columns',
  'all',
  'slots',
  'assignments',
]);
const SQL =
  /^\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|SET|LISTEN|PRAGMA|WITH|BEGIN|COMMIT|cache_size|synchronous|user_version)\b/i;

const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );

describe('SQL in the sources', () => {
  it('interpolates no value that could come from a request', () => {
    const offending: string[] = [];
    let statements = 0;
    for (const file of sources('src')) {
      const text = readFileSync(file, 'utf8');
      for (const literal of text.matchAll(/`([^`]*)`/g)) {
        const body = literal[1] ?? '';
        if (!SQL.test(body)) continue;
        statements += 1;
        for (const expression of body.matchAll(/\$\{([^}]*)\}/g)) {
          if (!allowed.has((expression[1] ?? '').trim())) offending.push(`${file}: \${${expression[1]}}`);
        }
      }
    }
    expect(statements).toBeGreaterThan(5);
    expect(offending).toEqual([]);
  });
});
