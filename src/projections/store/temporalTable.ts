import type Database from 'better-sqlite3';
import { RecentlyUsed } from '../../application/recentlyUsed.js';

/** `valid_to` of a row that is still current: it holds until something replaces it. */
export const CURRENT = Number.MAX_SAFE_INTEGER;

/** A row holds at position `at` when `valid_from <= at < valid_to`: the SQL every temporal read shares. */
export const HOLDS_AT = 'valid_from <= @at AND valid_to > @at';

export type SqlValue = string | number | null;
export type Row = Record<string, SqlValue>;

const IDENTIFIER = /^[a-z][a-z0-9_]*$/;

const identifiers = (names: readonly string[]): string => {
  for (const name of names) if (!IDENTIFIER.test(name)) throw new Error(`not an identifier: ${name}`);
  return names.join(', ');
};

/** A current row and the position it holds from. */
type Version<R> = { row: R; from: number };

/**
 * A table of versioned rows: each change of a key closes its current row (`valid_to` = the position
 * of the event that changed it) and adds a row valid from that position. Nothing is rewritten in
 * place, so the table answers for any position of the log (`HOLDS_AT`), and a change costs what it
 * touches: one row closed, one added. Current rows are cached (bounded), so a key changed again soon
 * after costs no read. The table's columns are `keys`, `valid_from`, `valid_to` and `values`.
 */
export class TemporalTable<R extends Row> {
  private readonly recent: RecentlyUsed<Version<R> | null>;
  private readonly statements;

  constructor(
    db: Database.Database,
    readonly table: string,
    private readonly keys: readonly string[],
    private readonly values: readonly (keyof R & string)[],
    cacheSize = 20_000,
  ) {
    this.recent = new RecentlyUsed(cacheSize);
    const name = identifiers([table]);
    const match = keys.map((k) => `${identifiers([k])} = ?`).join(' AND ');
    const columns = identifiers(values);
    const all = identifiers([...keys, 'valid_from', 'valid_to', ...values]);
    const slots = [...keys, 'valid_from', 'valid_to', ...values].map(() => '?').join(', ');
    const assignments = values.map((v) => `${v} = ?`).join(', ');
    this.statements = {
      // The key's latest version, found by its primary key (keys, valid_from) however many it has.
      latest: db.prepare(
        `SELECT valid_from, valid_to, ${columns} FROM ${name} WHERE ${match} ORDER BY valid_from DESC LIMIT 1`,
      ),
      close: db.prepare(`UPDATE ${name} SET valid_to = ? WHERE ${match} AND valid_from = ?`),
      replace: db.prepare(`UPDATE ${name} SET ${assignments} WHERE ${match} AND valid_from = ?`),
      insert: db.prepare(`INSERT INTO ${name} (${all}) VALUES (${slots})`),
    };
  }

  /** The key's current row, or undefined when it has none. */
  current(key: readonly SqlValue[]): R | undefined {
    return this.version(key)?.row;
  }

  private version(key: readonly SqlValue[]): Version<R> | undefined {
    const cacheKey = key.join('\u0000');
    const cached = this.recent.get(cacheKey);
    if (cached !== undefined) return cached ?? undefined;
    const found = this.statements.latest.get(...key) as (R & { valid_from: number; valid_to: number }) | undefined;
    let version: Version<R> | null = null;
    if (found !== undefined && found.valid_to === CURRENT) {
      const { valid_from: from, valid_to: _to, ...row } = found;
      version = { row: row as unknown as R, from };
    }
    this.recent.set(cacheKey, version);
    return version ?? undefined;
  }

  /**
   * Makes `row` the key's current row from `position` on. An identical row changes nothing; a second
   * change at the same position (one event touching a key twice) replaces the row that event added.
   * `isNew`: the caller knows the key has no current row, which spares a lookup.
   */
  put(key: readonly SqlValue[], row: R, position: number, isNew = false): void {
    const existing = isNew ? undefined : this.version(key);
    if (existing && this.values.every((v) => existing.row[v] === row[v])) return;
    const ordered = this.values.map((v) => row[v] ?? null);
    if (existing?.from === position) {
      this.statements.replace.run(...ordered, ...key, position);
      this.recent.set(key.join('\u0000'), { row: { ...row }, from: position });
      return;
    }
    if (existing) this.statements.close.run(position, ...key, existing.from);
    this.statements.insert.run(...key, position, CURRENT, ...ordered);
    this.recent.set(key.join('\u0000'), { row: { ...row }, from: position });
  }

  /** Ends the key's current row at `position` (its key changes, e.g. a meeting's start moved). */
  end(key: readonly SqlValue[], position: number): void {
    const existing = this.version(key);
    if (!existing) return;
    this.statements.close.run(position, ...key, existing.from);
    this.recent.set(key.join('\u0000'), null);
  }

  /** Forgets cached rows: after a rollback they may describe changes that never committed. */
  forget(): void {
    this.recent.clear();
  }
}
