import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadConfig } from '../src/config.js';
import { buildApp } from '../src/http/app.js';
import { closeLedger, openLedger } from '../src/main.js';

/**
 * Writes the OpenAPI document the app serves at /openapi.json to the file named by the first
 * argument (stdout without one), from the real app on a throwaway ledger, without listening.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'ledger-openapi-'));
try {
  const config = loadConfig({ LEDGER_DATA_DIR: dataDir, LEDGER_TOKENS: 'auditor:openapi-writer-token-0123456789' });
  const ledger = await openLedger(config);
  const app = await buildApp({ ...ledger, limits: config.limits, logger: false });
  await app.ready();
  const document = `${JSON.stringify(app.swagger(), null, 2)}\n`;
  await app.close();
  await closeLedger(ledger);
  const target = process.argv[2];
  if (target) {
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, document);
  } else process.stdout.write(document);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
