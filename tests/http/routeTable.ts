import type { FastifyInstance } from 'fastify';

export type Route = { method: string; path: string };
/** Every method and path the app serves, read from its router (the one list nothing can hide from). */
export const servedRoutes = (app: FastifyInstance): Route[] => {
  const routes: Route[] = [];
  const prefixes: string[] = [];
  for (const line of app
    .printRoutes({ commonPrefix: false })
    .split('\n')
    .filter((l) => l.trim() !== '')) {
    const match = /^((?:│ {3}| {4})*)[├└]── (\S+)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) throw new Error(`Cannot read the route line ${JSON.stringify(line)}`);
    const depth = (match[1] ?? '').length / 4;
    const path = (prefixes[depth - 1] ?? '') + (match[2] ?? '');
    prefixes[depth] = path;
    prefixes.length = depth + 1;
    for (const method of match[3]?.split(', ') ?? []) routes.push({ method, path });
  }
  return routes;
};
