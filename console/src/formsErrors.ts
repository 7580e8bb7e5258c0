import type { Problem } from './api.js';

/** Where a refusal's explanations go: next to the fields they name, the rest at the top of the form. */
export type Placed = { byField: Map<string, string>; general: string[] };

type SchemaError = { in?: unknown; path?: unknown; message?: unknown };

/** Members every problem document has: never taken for a field's name (a form may well have a `title`). */
const STANDARD_MEMBERS = new Set(['type', 'title', 'status', 'detail', 'instance']);

const place = (placed: Placed, fields: readonly string[], field: string | undefined, message: string): void => {
  if (field === undefined || !fields.includes(field)) placed.general.push(message);
  else if (!placed.byField.has(field)) placed.byField.set(field, message);
};

/**
 * Places a problem document's explanations on the form's `fields`. The ledger names the field three
 * ways: a schema refusal lists `errors` with a JSON pointer (`/summary`, `/agenda/1/title`: the
 * first segment is the field); a rule of the ledger names it in `field`; or it names the value it
 * refused in an extension called like the field (`participantId`, `outcomeId`).
 */
export const placeProblem = (problem: Problem, fields: readonly string[]): Placed => {
  const placed: Placed = { byField: new Map(), general: [] };
  const detail = problem.detail ?? problem.title ?? 'The ledger refused this';
  if (Array.isArray(problem.errors)) {
    for (const error of problem.errors as SchemaError[]) {
      const pointer = typeof error.path === 'string' ? error.path : '';
      const field = error.in === 'body' || error.in === 'params' ? pointer.split('/')[1] || undefined : undefined;
      place(placed, fields, field, typeof error.message === 'string' ? error.message : detail);
    }
    return placed;
  }
  const named =
    typeof problem.field === 'string'
      ? problem.field
      : fields.find((f) => !STANDARD_MEMBERS.has(f) && typeof problem[f] === 'string');
  place(placed, fields, named, detail);
  return placed;
};

/** Places the browser's own check (zod issues, with paths as arrays) the same way. */
export const placeIssues = (
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
  fields: readonly string[],
): Placed => {
  const placed: Placed = { byField: new Map(), general: [] };
  for (const issue of issues) {
    const first = issue.path[0];
    place(placed, fields, first === undefined ? undefined : String(first), issue.message);
  }
  return placed;
};
