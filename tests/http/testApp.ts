import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { loadConfig, type Role } from '../../src/config.js';
import { buildApp, loggerOptions } from '../../src/http/app.js';
import { closeLedger, openLedger, type Ledger } from '../../src/main.js';

export const tokens: Record<Role, string> = {
  secretariat: 'secretariat-token-0123456789',
  auditor: 'auditor-token-0123456789abcdef',
  reporter: 'reporter-token-0123456789abcde',
};

export type TestApp = {
  app: FastifyInstance;
  ledger: Ledger;
  /** Sends a request as `role` (or with no token when role is null). */
  as: (role: Role | null, options: InjectOptions) => Promise<LightMyRequestResponse>;
  /** How many events the whole log holds: the witness that a refused request appended nothing. */
  eventCount: () => Promise<number>;
  close: () => Promise<void>;
};

/**
 * The real app on a real SQLite file in a fresh temporary folder. Rate limit, CORS and load shedding
 * are off unless `protect` is set (then they come from `env`, as in production). Nothing is logged
 * unless `logTo` is given: then every line, as JSON text.
 */
export const startTestApp = async (
  env: Record<string, string> = {},
  { protect = false, logTo }: { protect?: boolean; logTo?: { write: (line: string) => void } } = {},
): Promise<TestApp> => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ledger-http-'));
  const config = loadConfig({
    LEDGER_DATA_DIR: dataDir,
    LEDGER_TOKENS: Object.entries(tokens)
      .map(([role, token]) => `${role}:${token}`)
      .join(','),
    ...env,
  });
  const ledger = await openLedger(config);
  ledger.follower.start();
  const app = await buildApp({
    ...ledger,
    bodyLimit: config.bodyLimit,
    limits: config.limits,
    // The server's logger options, at every level, into the test's hands when it asks.
    logger: logTo ? { ...loggerOptions('trace'), stream: logTo } : false,
    ...(config.metricsToken !== undefined && { metricsToken: config.metricsToken }),
    ...(protect && { protection: config.protection }),
  });
  return {
    app,
    ledger,
    as: (role, options) =>
      app.inject({
        ...options,
        headers: { ...(role ? { authorization: `Bearer ${tokens[role]}` } : {}), ...options.headers },
      }),
    eventCount: async () => (await ledger.store.readAll({})).length,
    close: async () => {
      await app.close();
      await closeLedger(ledger);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
};
