import type Database from 'better-sqlite3';
import type { LedgerEvent, LedgerEventType } from '../domain/events.js';

/** An event as a projection sees it: the domain event plus where and when it sits in the log. */
export type ProjectedEvent = LedgerEvent & { position: number; recordedAt: string; streamId: string };

/** Applies events to a projection's tables; deterministic: the same events always write the same rows. */
export interface ProjectionWriter {
  apply(event: ProjectedEvent): void;
  /** Forgets what it cached: after a rollback the cache may describe rows that never committed. */
  forget(): void;
}

/**
 * A projection is data: a name, a version, the event types it handles, the tables it keeps in the
 * projection database and how to write them. Its rows are temporal (see TemporalTable), so it
 * answers as of any position it has reached, and applying an event writes only what changed.
 * `evolve`-like logic lives in the writer and uses no clock, I/O or randomness beyond its own
 * tables, so replaying the log from zero always gives the same rows. Bump `version` whenever what
 * the writer writes changes: the tables are then dropped and rebuilt from zero.
 */
export type Projection = {
  name: string;
  version: number;
  eventTypes: readonly LedgerEventType[];
  /** The tables it owns, dropped when its version changes. */
  tables: readonly string[];
  /** DDL creating its tables and indexes. */
  schema: string;
  writer: (db: Database.Database) => ProjectionWriter;
};

export const handles = (projection: { eventTypes: readonly string[] }, type: string): boolean =>
  projection.eventTypes.includes(type);
