import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { LedgerMetrics } from '../../metrics/ledgerMetrics.js';
import type { ScrapeSources } from '../../metrics/scrapedGauges.js';
import { AUDITORS } from '../access.js';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** Whether `given` is the scrape token, compared in constant time (digests: equal lengths whatever is sent). */
export const scrapeTokenCheck = (scrapeToken: string): ((given: string) => boolean) => {
  const expected = sha256(scrapeToken);
  return (given) => timingSafeEqual(sha256(given), expected);
};

/** Counts every answer of a command route by its command, its outcome and the code of its problem. */
export const countCommands = (app: FastifyInstance, metrics: LedgerMetrics): void => {
  app.addHook('onResponse', async (request, reply) => {
    const { command } = request.routeOptions.config;
    if (command === undefined) return;
    const replayed = reply.getHeader('idempotent-replayed') === 'true';
    metrics.commandAnswered(command, reply.statusCode, request.problemCode, replayed);
  });
};

/**
 * `GET /metrics`: the ledger's Prometheus metrics, for the secretariat and auditors, and for a
 * scraper holding LEDGER_METRICS_TOKEN when one is set (that token reads nothing else).
 */
export const metricsRoutes =
  (metrics: LedgerMetrics, sources: ScrapeSources, scrapeToken?: string): FastifyPluginAsyncZod =>
  async (app) => {
    metrics.collectProcessMetrics();
    app.get(
      '/metrics',
      {
        config: { access: AUDITORS, ...(scrapeToken && { alsoAccepts: scrapeTokenCheck(scrapeToken) }), probe: true },
        // Prometheus' text, for operators: not part of the API a client is generated from.
        schema: { hide: true },
      },
      async (_request, reply) => {
        const text = await metrics.scrape(sources);
        return reply.type(metrics.contentType).send(text);
      },
    );
  };
