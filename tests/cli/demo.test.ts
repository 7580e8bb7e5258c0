import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DemoFailed, runDemo } from '../../src/cli/demo.js';
import { demoId } from '../../src/cli/demoData.js';
import { loadConfig } from '../../src/config.js';
import { buildApp } from '../../src/http/app.js';
import { TokenRegistry } from '../../src/http/tokens.js';
import { closeLedger, openLedger } from '../../src/main.js';

const work = mkdtempSync(join(tmpdir(), 'ledger-demo-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const quiet = () => undefined;

/** Schedules the Small Group under the id the demo gave it before (09:00), as that demo did. */
const scheduleFormerSmallGroup = async (dataDir: string) => {
  const config = loadConfig({ LEDGER_DATA_DIR: dataDir, LEDGER_TOKENS: '' });
  const ledger = await openLedger(config);
  const tokens = new TokenRegistry([{ role: 'secretariat', token: 'former-demo', id: 'demo-loader' }]);
  const app = await buildApp({ ...ledger, tokens, limits: config.limits, logger: false });
  try {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/meetings',
      headers: { authorization: 'Bearer former-demo' },
      payload: {
        meetingId: demoId('2017-07-13T09:00:00-04:00', 4),
        title: 'Coalition Small Group',
        forum: 'small-group',
        startsAt: '2017-07-13T09:00:00-04:00',
        location: 'Washington, D.C.',
      },
    });
    expect(response.statusCode, response.body).toBe(201);
  } finally {
    await app.close();
    await closeLedger(ledger);
  }
  return config;
};

describe('the demo over a ledger an earlier demo loaded', () => {
  it('refuses to add the note’s week beside the earlier one, appending nothing', async () => {
    const config = await scheduleFormerSmallGroup(join(work, 'former'));
    const error = await runDemo(config, quiet).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DemoFailed);
    expect((error as Error).message).toMatch(
      /holds the demo week as an earlier version loaded it.*empty LEDGER_DATA_DIR$/,
    );
    const ledger = await openLedger(config);
    try {
      expect(await ledger.store.headPosition()).toBe(1);
    } finally {
      await closeLedger(ledger);
    }
  });
});
