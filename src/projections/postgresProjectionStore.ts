import type pg from 'pg';
import { asStoreError } from '../eventStore/postgresErrors.js';
import type { ProjectionSnapshot, ProjectionStore } from './projectionStore.js';

/**
 * Projection snapshots in the ledger's PostgreSQL schema: state and checkpoint are one row, written
 * by one statement. Several ledger processes save the same projections; a save never replaces a
 * snapshot of a newer version or a later position, so a slower process cannot move one backwards.
 */
export class PostgresProjectionStore implements ProjectionStore {
  constructor(private readonly pool: pg.Pool) {}

  async load(name: string): Promise<ProjectionSnapshot | undefined> {
    try {
      const { rows } = await this.pool.query<{ name: string; version: number; position: string; state: string }>(
        'SELECT name, version, position, state FROM projections WHERE name = $1',
        [name],
      );
      const row = rows[0];
      return row && { name: row.name, version: row.version, position: Number(row.position), stateJson: row.state };
    } catch (error) {
      throw asStoreError(error, 'Projection snapshots could not be read');
    }
  }

  async save({ name, version, position, stateJson }: ProjectionSnapshot): Promise<void> {
    try {
      await this.pool.query(
        `INSERT INTO projections (name, version, position, state) VALUES ($1, $2, $3, $4)
         ON CONFLICT (name) DO UPDATE SET version = excluded.version, position = excluded.position, state = excluded.state
         WHERE projections.version < excluded.version
            OR (projections.version = excluded.version AND projections.position <= excluded.position)`,
        [name, version, position, stateJson],
      );
    } catch (error) {
      throw asStoreError(error, 'Projection snapshot could not be saved');
    }
  }

  /** The pool belongs to the event store, which closes it. */
  async close(): Promise<void> {}
}
