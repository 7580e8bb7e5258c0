import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/**
 * Where `npm run build` puts the bundled console: dist/console, two levels above this file whether
 * it runs compiled (dist/http/routes) or from source (src/http/routes).
 */
export const CONSOLE_DIR = fileURLToPath(new URL('../../../dist/console/', import.meta.url));

/**
 * The console page's policy: helmet's, with styles from the ledger's stylesheet only (helmet allows
 * inline styles by default, which Swagger UI at /docs needs; the console writes none, and strips
 * the `<style>` element Observable Plot puts in each chart).
 */
const CONSOLE_HELMET = {
  contentSecurityPolicy: { directives: { upgradeInsecureRequests: null, styleSrc: ["'self'"] } },
};

/**
 * The web console at `/`: its page is never cached (it names the current bundle), its assets have
 * content hashes in their names and are cached for a year. Helmet's CSP applies: scripts from
 * 'self' only, none inline.
 */
export const consoleRoutes =
  (root: string = CONSOLE_DIR): FastifyPluginAsync =>
  async (app) => {
    await app.register(fastifyStatic, { root, serve: false });
    app.get(
      '/',
      { config: { access: 'public' }, schema: { hide: true }, helmet: CONSOLE_HELMET },
      async (_request, reply) =>
        reply.header('Cache-Control', 'no-cache').sendFile('index.html', { cacheControl: false }),
    );
    app.get(
      '/console/assets/:file',
      {
        config: { access: 'public' },
        schema: { hide: true, params: z.strictObject({ file: z.string().regex(/^[\w.-]+-[A-Z0-9]{8}\.(js|css)$/) }) },
      },
      async (request, reply) =>
        reply.sendFile((request.params as { file: string }).file, `${root}assets`, {
          maxAge: '365d',
          immutable: true,
        }),
    );
  };
