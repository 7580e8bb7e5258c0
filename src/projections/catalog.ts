import { agendaProjection } from './agenda.js';
import { attendanceProjection } from './attendance.js';
import type { AnyProjection } from './projection.js';
import { timelineProjection } from './timeline.js';

/** Every projection the ledger keeps, by name. */
export const projections = {
  agenda: agendaProjection,
  attendance: attendanceProjection,
  timeline: timelineProjection,
} as const;

export type ProjectionName = keyof typeof projections;
export const projectionNames = Object.keys(projections) as ProjectionName[];
export const isProjectionName = (name: string): name is ProjectionName => Object.hasOwn(projections, name);
export const allProjections: AnyProjection[] = Object.values(projections) as AnyProjection[];
/** A projection by name, typed loosely for code that handles any of them alike (replay, rebuild). */
export const projectionNamed = (name: ProjectionName): AnyProjection => projections[name] as AnyProjection;
