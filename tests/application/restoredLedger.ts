import { expect } from 'vitest';
import pino from 'pino';
import { auditableOf, leafHashOf } from '../../src/audit/eventDigest.js';
import { Frontier } from '../../src/audit/frontier.js';
import { openAuditRecords } from '../../src/audit/sqliteAuditRecords.js';
import type { Config } from '../../src/config.js';
import type { LedgerEvent } from '../../src/domain/events.js';
import type { EventStore } from '../../src/eventStore/eventStore.js';
import { buildApp } from '../../src/http/app.js';
import { closeLedger, openLedger, type Ledger } from '../../src/main.js';
import { wholeAgenda } from '../../src/projections/wholeViews.js';
import { ids, itemAdded, plenaryScheduled } from '../projections/coalitionEvents.js';
import { appendAll } from '../projections/ledgerFiles.js';

// A ledger of agenda items on one meeting: 62 events kept by the backup, 10 lost with the restore,
// and the ones appended after it. The agenda shows which of them the projections were built from.
export const kept: LedgerEvent[] = [
  plenaryScheduled,
  ...Array.from({ length: 61 }, (_, i) => itemAdded(ids.plenary, `kept-${i + 1}`, `Kept ${i + 1}`)),
];
export const lost = Array.from({ length: 10 }, (_, i) => itemAdded(ids.plenary, `lost-${i + 1}`, `Lost ${i + 1}`));
export const appendedAfter = (count: number) =>
  Array.from({ length: count }, (_, i) => itemAdded(ids.plenary, `new-${i + 1}`, `New ${i + 1}`));

/** A logger whose lines the test reads. */
export const capturedLogger = () => {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
};

/** Opens the ledger, lets every consumer catch up with the log, signs a checkpoint, and closes it. */
export const catchUpAndClose = async (config: Config): Promise<void> => {
  const ledger = await openLedger(config);
  ledger.follower.start();
  await ledger.follower.caughtUp;
  ledger.audit.checkpoint();
  await closeLedger(ledger);
};

export const appendThenClose = async (config: Config, events: readonly LedgerEvent[]): Promise<void> => {
  const ledger = await openLedger(config);
  await appendAll(ledger.store, events);
  await closeLedger(ledger);
};

const agendaItemIds = (ledger: Ledger): string[] => {
  const at = ledger.projections.state('agenda').position;
  const [meeting] = [...wholeAgenda(ledger.projections.database.reader, {}, at, 10)] as {
    agenda: { itemId: string }[];
  }[];
  return (meeting?.agenda ?? []).map((item) => item.itemId);
};

/** The RFC 6962 root of the log as it is now, recomputed from its events. */
const rootOfLog = async (store: EventStore): Promise<string> => {
  const tree = Frontier.empty();
  for (let page = await store.readAllStored({ after: 0, maxCount: 500 }); page.length > 0;) {
    for (const event of page) tree.append(leafHashOf(auditableOf(event)));
    page = await store.readAllStored({ after: page.at(-1)!.position, maxCount: 500 });
  }
  return tree.root().toString('hex');
};

/** It said loudly that the log diverged, with the positions, and where the old audit tree went. */
export const expectDivergenceReported = (lines: Record<string, unknown>[], head: number) => {
  const divergence = lines.find((line) => line.level === 50 && String(line.msg).includes('no longer holds'));
  expect(divergence, JSON.stringify(lines)).toMatchObject({ head, positions: { projections: 72, audit: 72 } });
  const kept = (divergence?.keptAside as string[])[0] ?? '';
  expect(kept).toMatch(/audit tree of 72 leaves .* kept in .*audit\.superseded-.*-tree72-at72\.sqlite$/);
  const superseded = openAuditRecords(kept.replace(/^.* kept in /, ''));
  expect(superseded.latestCheckpoint()?.treeSize).toBe(72);
  superseded.close();
};

/** Its projections and audit tree are those of the log as it is: the kept events and `added` new ones. */
export const expectDerivedFromTheLogAsItIs = async (ledger: Ledger, added: number) => {
  const head = await ledger.store.headPosition();
  expect(head).toBe(62 + added);
  for (const name of ['agenda', 'attendance', 'timeline'] as const) {
    expect(ledger.projections.state(name)).toMatchObject({ position: head, status: 'live' });
  }
  const items = agendaItemIds(ledger);
  expect(items.filter((id) => id.startsWith('lost-'))).toEqual([]);
  expect(items.filter((id) => id.startsWith('new-'))).toHaveLength(added);
  expect(ledger.audit.rebuilding).toBe(false);
  expect(ledger.audit.treeSize).toBe(head);
  expect(ledger.audit.checkpoint().rootHash).toBe(await rootOfLog(ledger.store));
  const [at65] = await ledger.store.readAllStored({ after: 64, maxCount: 1 });
  expect(ledger.audit.inclusion(65, head).leafHash).toBe(leafHashOf(auditableOf(at65!)).toString('hex'));
};

/**
 * Then, on a ledger opened on a log restored to `kept` that then got `appendedAfter(added)`: it said
 * so loudly, was not ready until rebuilt, and then answers from the log as it is.
 */
export const expectRebuiltFromTheRestoredLog = async (
  ledger: Ledger,
  lines: Record<string, unknown>[],
  added: number,
) => {
  expectDivergenceReported(lines, 62 + added);
  const app = await buildApp({ ...ledger, logger: false });
  expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(503);
  ledger.follower.start();
  await ledger.follower.caughtUp;
  expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  await app.close();
  await expectDerivedFromTheLogAsItIs(ledger, added);
};
