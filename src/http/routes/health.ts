import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AuditLog } from '../../audit/auditLog.js';
import type { EventStore } from '../../eventStore/eventStore.js';
import type { ProjectionEngine, ProjectionReport } from '../../projections/projectionEngine.js';
import { HttpProblem } from '../problem.js';

/**
 * /healthz: the process answers. /readyz: the store answers and every projection is live enough to
 * serve: not failed, not rebuilding from zero, and no more than `maxLagEvents` events behind the log
 * (counted, on every store); and the audit log is not rebuilding a tree it set aside.
 */
export const healthRoutes =
  (
    store: EventStore,
    projections: ProjectionEngine,
    maxLagEvents: number,
    audit?: Pick<AuditLog, 'rebuilding'>,
  ): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/healthz',
      { config: { access: 'public', probe: true }, schema: { tags: ['health'], summary: 'The process is up' } },
      async () => ({
        status: 'ok',
      }),
    );
    app.get(
      '/readyz',
      {
        config: { access: 'public', probe: true },
        schema: { tags: ['health'], summary: 'The store answers and projections keep up' },
      },
      async () => {
        await store.ping();
        // A projection failed or rebuilding is not ready whatever its lag: said without reading the log,
        // as a cold start is probed many times while it rebuilds.
        const unready = projections.unready();
        if (unready.length > 0) {
          const summary = unready.map((r) => `${r.name} ${r.status}`).join('; ');
          throw new HttpProblem(503, 'not-ready', 'Projections are not ready', summary, { projections: unready });
        }
        // Counted in events by the store, and no further than the bound needs: a probe stays cheap.
        const reports = await projections.report(store, new Date(), { countUpTo: maxLagEvents + 1 });
        const lagging = reports.filter(
          (r) => r.status === 'failed' || r.status === 'rebuilding' || r.lagEvents > maxLagEvents,
        );
        if (audit?.rebuilding) {
          throw new HttpProblem(
            503,
            'not-ready',
            'The audit log is being rebuilt',
            'The log no longer held the events of the audit tree (a restore?): it was set aside and is rebuilt from the log',
          );
        }
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
