/**
 * A projection's state (as JSON text, serialised at the instant it was taken) together with the last
 * position it reflects: always written as one.
 */
export type ProjectionSnapshot = { name: string; version: number; position: number; stateJson: string };

/**
 * Where projections keep their state and checkpoint. `save` replaces both in one transaction, so a
 * crash leaves either the old pair or the new one, never a state with the wrong checkpoint.
 */
export interface ProjectionStore {
  load(name: string): Promise<ProjectionSnapshot | undefined>;
  save(snapshot: ProjectionSnapshot): Promise<void>;
  close(): Promise<void>;
}
