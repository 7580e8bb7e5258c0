import type pg from 'pg';

/**
 * Versioned migrations, applied in order, each in its own transaction. Payloads are kept as the exact
 * JSON text that was written (not jsonb, which would reorder keys, rewrite numbers and refuse \u0000).
 */
const migrations: string[] = [
  `
  CREATE TABLE events (
    position    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id    text   NOT NULL UNIQUE,
    stream_id   text   NOT NULL,
    revision    bigint NOT NULL,
    type        text   NOT NULL,
    data        text   NOT NULL,
    metadata    text   NOT NULL,
    recorded_at text   NOT NULL,
    UNIQUE (stream_id, revision)
  );
  CREATE INDEX events_by_recorded_at ON events (recorded_at, position);
  CREATE TABLE streams (
    stream_id text   PRIMARY KEY,
    revision  bigint NOT NULL,
    position  bigint NOT NULL
  );
  CREATE TABLE idempotency (
    scope       text    PRIMARY KEY,
    fingerprint text    NOT NULL,
    status      integer NOT NULL,
    body        text    NOT NULL,
    stream_id   text    NOT NULL,
    position    bigint  NOT NULL
  );
  CREATE TABLE projections (
    name     text    PRIMARY KEY,
    version  integer NOT NULL,
    position bigint  NOT NULL,
    state    text    NOT NULL
  );
  -- The ledger only ever appends: the database itself refuses to rewrite history.
  CREATE FUNCTION events_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'events are immutable: % refused', TG_OP; END;
  $$;
  CREATE TRIGGER events_are_immutable BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_are_append_only();
  CREATE TRIGGER events_are_never_truncated BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_are_append_only();
  `,
  // Projections keep temporal rows in each process's own projection database now, not snapshots here.
  `DROP TABLE IF EXISTS projections;`,
];

/** Any fixed number: the advisory lock that lets one process at a time migrate a schema. */
const MIGRATION_LOCK = 0x6c656467; // 'ledg'

/**
 * Creates the schema if needed and brings it up to date. Safe when several processes start at once:
 * they queue on an advisory lock and each reads the applied versions only once it holds the lock.
 */
export const migrate = async (client: pg.ClientBase, schema: string): Promise<void> => {
  const quoted = quoteIdentifier(schema);
  await client.query('SELECT pg_advisory_lock($1, hashtext($2))', [MIGRATION_LOCK, schema]);
  try {
    // Up to date: issue no DDL at all, so a runtime role with data privileges only can start.
    if ((await appliedVersion(client, quoted)) >= migrations.length) return;
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoted}`);
    await client.query(`SET search_path TO ${quoted}`);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const applied = await client.query<{ version: number }>(
      'SELECT coalesce(max(version), 0) AS version FROM schema_migrations',
    );
    for (let version = applied.rows[0]?.version ?? 0; version < migrations.length; version += 1) {
      await client.query('BEGIN');
      try {
        await client.query(migrations[version]!);
        await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [version + 1]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined); // keep the first error, not a dead connection's
        throw error;
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [MIGRATION_LOCK, schema]).catch(() => undefined);
  }
};

/** The last migration applied to the schema, 0 when it has none yet; reads only. */
const appliedVersion = async (client: pg.ClientBase, quoted: string): Promise<number> => {
  const table = await client.query<{ found: string | null }>('SELECT to_regclass($1)::text AS found', [
    `${quoted}.schema_migrations`,
  ]);
  if (!table.rows[0]?.found) return 0;
  const applied = await client.query<{ version: number }>(
    `SELECT coalesce(max(version), 0) AS version FROM ${quoted}.schema_migrations`,
  );
  return applied.rows[0]?.version ?? 0;
};

/** A schema name as a quoted SQL identifier; it comes from configuration, never from a request. */
export const quoteIdentifier = (name: string): string => `"${name.replaceAll('"', '""')}"`;
