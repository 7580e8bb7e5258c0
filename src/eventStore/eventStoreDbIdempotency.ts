import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from '../sqliteDriver.js';
import { IdempotencyKeyUsed, StoreUnavailable } from './errors.js';
import type { AppendOptions, AppendResult, IdempotencyRecord, StoredResponse } from './eventStore.js';

/** Where an append goes: its stream, its event ids, and the first revision they can land at. */
export type AppendTarget = { streamId: string; eventIds: string[]; fromRevision: number };

/** Where an append's last event landed, if it did. */
export type Applied = { revision: number; position: number };

type Row = {
  scope: string;
  fingerprint: string;
  state: 'pending' | 'done';
  stream_id: string;
  event_ids: string;
  from_revision: number;
  status: number | null;
  body: string | null;
};

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS idempotency (
    scope         TEXT PRIMARY KEY,
    fingerprint   TEXT    NOT NULL,
    state         TEXT    NOT NULL CHECK (state IN ('pending', 'done')),
    stream_id     TEXT    NOT NULL,
    event_ids     TEXT    NOT NULL,
    from_revision INTEGER NOT NULL,
    status        INTEGER,
    body          TEXT
  ) WITHOUT ROWID;
`;

export const IDEMPOTENCY_FILE = 'eventstoredb-idempotency.sqlite';

/**
 * Idempotency records for the EventStoreDB adapter. EventStoreDB cannot store a record atomically
 * with an append, so records live in a local SQLite file beside the instance
 * (`<dataDir>/eventstoredb-idempotency.sqlite`) and an append is bracketed by two local commits:
 *
 * 1. before the append, a PENDING row names the scope, the target stream and the event ids;
 * 2. once EventStoreDB acknowledged it, the row becomes DONE with the response `respond` computed.
 *
 * A PENDING row that no running append owns means the process died between the two, or the
 * server's answer never came (StoreUnavailable): on the next use of its scope (an append or a
 * lookup) it is settled by reading the target stream for its event ids. Found: the command was
 * applied, and a DONE record `{ status: 200, body: { recovered: true, ... } }` is stored (never
 * re-applied). Absent: the append never happened, the row is dropped and the key is free again.
 *
 * Per-scope work is serialised inside this process, which makes this exact with ONE ledger process
 * per EventStoreDB. Several ledger processes on one EventStoreDB would each keep their own file and
 * could apply one key twice: they would need a shared home for the records (for many instances,
 * use the PostgreSQL adapter, which stores the record in the append's transaction).
 */
export class EventStoreDbIdempotency {
  private readonly db: Database.Database;
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly statements;
  private closed = false;

  constructor(
    dataDir: string,
    /** Reads `target.streamId` for the append's last event id. */
    private readonly findApplied: (target: AppendTarget) => Promise<Applied | undefined>,
  ) {
    mkdirSync(dataDir, { recursive: true });
    this.db = new Database(join(dataDir, IDEMPOTENCY_FILE));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(SCHEMA);
    this.statements = {
      get: this.db.prepare<[string], Row>('SELECT * FROM idempotency WHERE scope = ?'),
      pending: this.db.prepare(
        `INSERT INTO idempotency (scope, fingerprint, state, stream_id, event_ids, from_revision)
         VALUES (?, ?, 'pending', ?, ?, ?)`,
      ),
      done: this.db.prepare(
        `INSERT INTO idempotency (scope, fingerprint, state, stream_id, event_ids, from_revision, status, body)
         VALUES (@scope, @fingerprint, 'done', @streamId, @eventIds, @fromRevision, @status, @body)
         ON CONFLICT (scope) DO UPDATE SET state = 'done', status = excluded.status, body = excluded.body`,
      ),
      drop: this.db.prepare("DELETE FROM idempotency WHERE scope = ? AND state = 'pending'"),
    };
  }

  /**
   * Runs `append` unless the scope already has a record, and keeps the response it yields. An
   * append that did not happen for sure (wrong expected version, a refusal) frees the key; one whose
   * outcome is unknown (StoreUnavailable) stays PENDING until its scope is next used and settled.
   */
  appendOnce(
    idempotency: NonNullable<AppendOptions['idempotency']>,
    target: AppendTarget,
    append: () => Promise<AppendResult>,
  ): Promise<AppendResult> {
    const { scope, fingerprint } = idempotency;
    return this.exclusive(scope, async () => {
      const existing = await this.settle(scope);
      if (existing) throw new IdempotencyKeyUsed(existing);
      const written = target.eventIds.length > 0;
      if (written) {
        this.statements.pending.run(
          scope,
          fingerprint,
          target.streamId,
          JSON.stringify(target.eventIds),
          target.fromRevision,
        );
      }
      let result: AppendResult;
      try {
        result = await append();
      } catch (error) {
        if (written && !(error instanceof StoreUnavailable)) this.statements.drop.run(scope);
        throw error;
      }
      this.storeDone(scope, fingerprint, target, idempotency.respond(result));
      return result;
    });
  }

  find(scope: string): Promise<IdempotencyRecord | undefined> {
    return this.exclusive(scope, () => this.settle(scope));
  }

  /** Waits for the appends under way, then closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.locks.values()]);
    this.db.close();
  }

  /** The DONE record of `scope`, after settling a PENDING one left by a crash; undefined if none. */
  private async settle(scope: string): Promise<IdempotencyRecord | undefined> {
    const row = this.statements.get.get(scope);
    if (!row) return undefined;
    if (row.state === 'done') return toRecord(row);
    const target: AppendTarget = {
      streamId: row.stream_id,
      eventIds: JSON.parse(row.event_ids) as string[],
      fromRevision: row.from_revision,
    };
    const applied = await this.findApplied(target);
    if (!applied) {
      this.statements.drop.run(scope);
      return undefined;
    }
    const body = { recovered: true, streamId: target.streamId, ...applied, eventIds: target.eventIds };
    this.storeDone(scope, row.fingerprint, target, { status: 200, body });
    return toRecord(this.statements.get.get(scope));
  }

  private storeDone(scope: string, fingerprint: string, target: AppendTarget, response: StoredResponse): void {
    this.statements.done.run({
      scope,
      fingerprint,
      streamId: target.streamId,
      eventIds: JSON.stringify(target.eventIds),
      fromRevision: target.fromRevision,
      status: response.status,
      body: JSON.stringify(response.body),
    });
  }

  /** Runs `work` after every earlier piece of work on `scope` in this process has settled. */
  private async exclusive<T>(scope: string, work: () => Promise<T>): Promise<T> {
    if (this.closed) throw new StoreUnavailable('The event store is closed');
    const previous = this.locks.get(scope) ?? Promise.resolve();
    const current = previous.then(work);
    const tail = current.catch(() => undefined);
    this.locks.set(scope, tail);
    try {
      return await current;
    } finally {
      if (this.locks.get(scope) === tail) this.locks.delete(scope);
    }
  }
}

const toRecord = (row: Row | undefined): IdempotencyRecord => {
  if (row?.state !== 'done' || row.status === null || row.body === null) {
    throw new Error('An idempotency record was expected to be stored');
  }
  return { scope: row.scope, fingerprint: row.fingerprint, status: row.status, body: JSON.parse(row.body) as unknown };
};
