import { agendaProjection } from './agenda/agendaProjection.js';
import { attendanceProjection } from './attendance/attendanceProjection.js';
import type { Projection } from './projection.js';
import { timelineProjection } from './timeline/timelineProjection.js';

/** Every projection the ledger keeps, by name. */
export const projections = {
  agenda: agendaProjection,
  attendance: attendanceProjection,
  timeline: timelineProjection,
} as const satisfies Record<string, Projection>;

export type ProjectionName = keyof typeof projections;
export const projectionNames = Object.keys(projections) as ProjectionName[];
export const isProjectionName = (name: string): name is ProjectionName => Object.hasOwn(projections, name);
export const allProjections: readonly Projection[] = Object.values(projections);
