import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { EventStore } from '../../eventStore/eventStore.js';
import type { ProjectionEngine, ProjectionReport } from '../../projections/projectionEngine.js';
import { HttpProblem } from '../problem.js';

/**
 * /healthz: the process answers. /readyz: the store answers and every projection is live enough to
 * serve: not failed, and no more than `maxLagEvents` events behind the log (counted, on every store).
 */
export const healthRoutes =
  (store: EventStore, projections: ProjectionEngine, maxLagEvents: number): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/healthz',
      { config: { access: 'public' }, schema: { tags: ['health'], summary: 'The process is up' } },
      async () => ({
        status: 'ok',
      }),
    );
    app.get(
      '/readyz',
      {
        config: { access: 'public' },
        schema: { tags: ['health'], summary: 'The store answers and projections keep up' },
      },
      async () => {
        await store.ping();
        // Counted in events by the store, and no further than the bound needs: a probe stays cheap.
        const reports = await projections.report(store, new Date(), { countUpTo: maxLagEvents + 1 });
        const lagging = reports.filter((r) => r.status === 'failed' || r.lagEvents > maxLagEvents);
        if (lagging.length > 0) {
          const behind = (r: ProjectionReport) =>
            r.lagEventsAtLeast ? `more than ${maxLagEvents} events behind` : `${r.lagEvents} events behind`;
          const summary = lagging.map((r) => `${r.name} ${r.status}, ${behind(r)}`).join('; ');
          throw new HttpProblem(503, 'not-ready', 'Projections are not ready', summary, {
            projections: lagging.map(({ name, status, lagEvents }) => ({ name, status, lagEvents })),
          });
        }
        return { status: 'ready' };
      },
    );
  };
