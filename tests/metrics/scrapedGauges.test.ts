import { describe, expect, it } from 'vitest';
import type { EventStore } from '../../src/eventStore/eventStore.js';
import { StoreUnavailable } from '../../src/eventStore/errors.js';
import { LedgerMetrics } from '../../src/metrics/ledgerMetrics.js';
import type { ScrapeSources } from '../../src/metrics/scrapedGauges.js';

const NOW = new Date('2017-07-13T13:00:00Z');

/** Sources whose store answers `ping` as told, with one projection two events behind. */
const sources = (ping: () => Promise<void>): ScrapeSources => ({
  store: { ping } as unknown as EventStore,
  projections: {
    report: async () => [
      { name: 'agenda', version: 1, position: 3, lagEvents: 2, lagSeconds: 1.5, status: 'live' as const },
    ],
  },
  audit: { treeSize: 5 },
  auditStore: {
    latestCheckpoint: () => ({
      treeSize: 5,
      position: 5,
      rootHash: '',
      text: '',
      signature: '',
      createdAt: '2017-07-13T12:59:30Z',
    }),
  },
});

const lineOf = (text: string, name: string) =>
  text.split('\n').find((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`));

describe('the gauges read at a scrape', () => {
  it('read the store, the projections and the audit log as they are', async () => {
    const text = await new LedgerMetrics().scrape(
      sources(async () => undefined),
      NOW,
    );
    expect(lineOf(text, 'ledger_store_up')).toBe('ledger_store_up 1');
    expect(lineOf(text, 'ledger_projection_lag_events')).toBe('ledger_projection_lag_events{projection="agenda"} 2');
    expect(lineOf(text, 'ledger_projection_lag_seconds')).toBe(
      'ledger_projection_lag_seconds{projection="agenda"} 1.5',
    );
    expect(lineOf(text, 'ledger_audit_tree_size')).toBe('ledger_audit_tree_size 5');
    expect(lineOf(text, 'ledger_audit_last_checkpoint_age_seconds')).toBe(
      'ledger_audit_last_checkpoint_age_seconds 30',
    );
  });

  it('say the store is down when its ping fails, and show no lag rather than an old one', async () => {
    const metrics = new LedgerMetrics();
    await metrics.scrape(
      sources(async () => undefined),
      NOW,
    );
    const down = await metrics.scrape(
      sources(() => Promise.reject(new StoreUnavailable('down', 1))),
      NOW,
    );
    expect(lineOf(down, 'ledger_store_up')).toBe('ledger_store_up 0');
    expect(lineOf(down, 'ledger_projection_lag_events')).toBeUndefined();
    expect(lineOf(down, 'ledger_audit_tree_size')).toBe('ledger_audit_tree_size 5');
  });
});
