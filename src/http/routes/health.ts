import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { EventStore } from '../../eventStore/eventStore.js';
import type { ProjectionEngine } from '../../projections/projectionEngine.js';
import { HttpProblem } from '../problem.js';

/**
 * /healthz: the process answers. /readyz: the store answers and every projection is live enough to
 * serve: not failed, and no more than `maxLagEvents` behind the log.
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
        const reports = await projections.report(store, new Date());
        const lagging = reports.filter((r) => r.status === 'failed' || r.lagEvents > maxLagEvents);
        if (lagging.length > 0) {
          const summary = lagging.map((r) => `${r.name} ${r.status}, ${r.lagEvents} events behind`).join('; ');
          throw new HttpProblem(503, 'not-ready', 'Projections are not ready', summary, {
            projections: lagging.map(({ name, status, lagEvents }) => ({ name, status, lagEvents })),
          });
        }
        return { status: 'ready' };
      },
    );
  };
