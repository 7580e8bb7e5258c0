import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalBytes, eventHash } from '../../src/audit/canonical.js';
import { leafHash } from '../../src/audit/merkle.js';
import { runDemo } from '../../src/cli/demo.js';
import { exportLog } from '../../src/cli/exportImport.js';
import { ImportRefused, type ExportedEvent } from '../../src/cli/importCheck.js';
import { importLog } from '../../src/cli/importLog.js';
import { loadConfig, type Config } from '../../src/config.js';
import { closeLedger, openLedger } from '../../src/main.js';
import { describePostgres, dropSchema, TEST_DATABASE_URL, uniqueSchema } from '../eventStore/postgresTestDatabase.js';

const work = mkdtempSync(join(tmpdir(), 'ledger-import-'));
const schemas: string[] = [];
const quiet = () => undefined;
let exported: ExportedEvent[];

const sqliteConfig = (name: string): Config =>
  loadConfig({ LEDGER_DATA_DIR: join(work, name), LEDGER_SQLITE_SYNCHRONOUS: 'NORMAL', LEDGER_TOKENS: '' });
const postgresConfig = (name: string): Config => {
  const schema = uniqueSchema('import');
  schemas.push(schema);
  return loadConfig({
    LEDGER_DATA_DIR: join(work, name),
    LEDGER_STORE: 'postgres',
    DATABASE_URL: TEST_DATABASE_URL,
    DATABASE_SCHEMA: schema,
    LEDGER_TOKENS: '',
  });
};

beforeAll(async () => {
  const source = sqliteConfig('source');
  // The illustrative week: enough events (61) for the refusals' line numbers, and metadata.illustrative to keep.
  await runDemo(source, quiet, { illustrative: true });
  await exportLog(source, join(work, 'good.ndjson'), quiet);
  exported = readFileSync(join(work, 'good.ndjson'), 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as ExportedEvent);
}, 60_000);
afterAll(async () => {
  for (const schema of schemas) await dropSchema(schema);
  rmSync(work, { recursive: true, force: true });
});

const write = (name: string, events: readonly ExportedEvent[]): string => {
  const file = join(work, `${name}.ndjson`);
  writeFileSync(file, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  return file;
};

/** The export with event `index` changed by `edit`, its hashes and its stream's chain after it made right again. */
const forged = (index: number, edit: (e: ExportedEvent) => ExportedEvent): ExportedEvent[] => {
  const events = exported.map((e) => structuredClone(e));
  events[index] = edit(events[index]!);
  let previous: string | undefined;
  for (const [i, e] of events.entries()) {
    if (i < index || e.streamId !== events[index].streamId) continue;
    if (previous !== undefined) e.metadata = { ...e.metadata, prevHash: previous };
    e.hash = eventHash(e);
    e.leafHash = leafHash(canonicalBytes(e)).toString('hex');
    previous = e.hash;
  }
  return events;
};

const firstOf = (type: string): number => exported.findIndex((e) => e.type === type);

/** Every way a file is refused, each with the line it must name. */
const badFiles = (): { name: string; events: ExportedEvent[]; line: number; reason: RegExp }[] => [
  {
    name: 'a bad hash on line 30',
    events: exported.map((e, i) =>
      i === 29 ? { ...e, hash: e.hash.replace(/^./, (c) => (c === '0' ? '1' : '0')) } : e,
    ),
    line: 30,
    reason: /does not hash to the hash it carries/,
  },
  {
    name: 'a malformed OutcomeRecorded',
    events: forged(firstOf('OutcomeRecorded'), (e) => ({ ...e, data: { ...(e.data as object), kind: 'rumour' } })),
    line: firstOf('OutcomeRecorded') + 1,
    reason: /OutcomeRecorded data does not match its schema: kind/,
  },
  {
    name: 'recordedAt in the year 9999',
    events: exported.map((e, i) => (i === 40 ? { ...e, recordedAt: '9999-12-31T23:59:59.999Z' } : e)),
    line: 41,
    reason: /recordedAt 9999-12-31T23:59:59.999Z is in the future/,
  },
  {
    name: 'recordedAt "zzzz"',
    events: exported.map((e, i) => (i === 40 ? { ...e, recordedAt: 'zzzz' } : e)),
    line: 41,
    reason: /recordedAt: must be a UTC instant/,
  },
  {
    name: 'a recordedAt earlier than the event before',
    events: exported.map((e, i) => (i === 40 ? { ...e, recordedAt: '2000-01-01T00:00:00.000Z' } : e)),
    line: 41,
    reason: /before the previous event's/,
  },
  {
    name: 'an event type holding a newline',
    events: forged(firstOf('OutcomeRecorded'), (e) => ({
      ...e,
      type: 'OutcomeRecorded\ndata: {"forged":true}\nid: 999999',
    })),
    line: firstOf('OutcomeRecorded') + 1,
    reason: /unknown event type "OutcomeRecorded\\ndata/,
  },
  {
    name: 'metadata of another shape',
    events: forged(3, (e) => ({ ...e, metadata: { ...e.metadata, recordedAt: 'zzzz' } })),
    line: 4,
    reason: /metadata: recordedAt: must be a UTC instant/,
  },
  {
    name: 'an illustrative mark other than true',
    events: forged(40, (e) => ({ ...e, metadata: { ...e.metadata, illustrative: 'yes' } })),
    line: 41,
    reason: /metadata: illustrative: /,
  },
];

/** The store's head position, opened afresh: what an import left in it. */
const headOf = async (config: Config): Promise<number> => {
  const ledger = await openLedger(config);
  try {
    return await ledger.store.headPosition();
  } finally {
    await closeLedger(ledger);
  }
};

const refusal = async (promise: Promise<unknown>): Promise<ImportRefused> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ImportRefused);
  return error as ImportRefused;
};

const importInto = (_store: string, configFor: (name: string) => Config) => () => {
  it('refuses each bad file naming its line, appends nothing and leaves no data directory behind', async () => {
    const config = configFor(`target-${_store}`);
    for (const bad of badFiles()) {
      const error = await refusal(importLog(config, write(bad.name.replace(/\W+/g, '-'), bad.events), quiet));
      expect(error.message, bad.name).toMatch(new RegExp(`^import refused, nothing was appended: line ${bad.line}: `));
      expect(error.message, bad.name).toMatch(bad.reason);
      expect(error.message, bad.name).not.toMatch(/\n/);
      expect(existsSync(config.dataDir), bad.name).toBe(false);
    }
    expect(await headOf(config)).toBe(0);
    rmSync(config.dataDir, { recursive: true, force: true });

    const printed: string[] = [];
    expect(await importLog(config, join(work, 'good.ndjson'), (line) => printed.push(line))).toBe(0);
    expect(JSON.parse(printed.join('\n'))).toMatchObject({ ok: true, imported: exported.length, alreadyHeld: 0 });
    expect(await headOf(config)).toBeGreaterThanOrEqual(exported.length);
    // The demo's invented events keep their mark, and only they: what came from the note has none.
    const again = join(work, `re-exported-${_store}.ndjson`);
    await exportLog(config, again, quiet);
    const marks = (file: string) =>
      readFileSync(file, 'utf8')
        .trimEnd()
        .split('\n')
        .map((line) => (JSON.parse(line) as ExportedEvent).metadata.illustrative ?? false);
    expect(marks(again)).toEqual(marks(join(work, 'good.ndjson')));
    expect(marks(again).filter(Boolean)).toHaveLength(49);
    expect(marks(again).slice(0, 12)).toEqual(Array(12).fill(false));
  });

  it('imports the same file again as a no-op, and refuses a store holding other events', async () => {
    const config = configFor(`again-${_store}`);
    await importLog(config, join(work, 'good.ndjson'), quiet);
    const printed: string[] = [];
    expect(await importLog(config, join(work, 'good.ndjson'), (line) => printed.push(line))).toBe(0);
    expect(JSON.parse(printed.join('\n'))).toMatchObject({ ok: true, imported: 0, alreadyHeld: exported.length });

    const other = write(
      'other',
      forged(0, (e) => ({ ...e, data: { ...(e.data as object), name: 'Another name' } })),
    );
    const head = await headOf(config);
    const error = await refusal(importLog(config, other, quiet));
    expect(error.message).toMatch(/line 1: the store is not empty and does not hold the start of this file/);
    expect(await headOf(config)).toBe(head);
    expect(existsSync(config.dataDir)).toBe(true); // it was there before: only what the import created goes
  });
};
describe('import into SQLite', importInto('SQLite', sqliteConfig));
describePostgres('import into PostgreSQL', importInto('PostgreSQL', postgresConfig));

describe('resuming an import that stopped midway (as on EventStoreDB)', () => {
  it('appends only what the store does not hold yet, and the chain and tree verify', async () => {
    const config = sqliteConfig('resumed');
    const ledger = await openLedger(config);
    for (const e of exported.slice(0, 25)) {
      const { eventId, type, data, metadata, recordedAt } = e;
      await ledger.store.appendToStream(e.streamId, [{ eventId, type, data, metadata, recordedAt }], {
        expectedRevision: e.revision === 0 ? 'no_stream' : e.revision - 1,
      });
    }
    await closeLedger(ledger);
    const printed: string[] = [];
    expect(await importLog(config, join(work, 'good.ndjson'), (line) => printed.push(line))).toBe(0);
    expect(JSON.parse(printed.join('\n'))).toMatchObject({
      ok: true,
      imported: exported.length - 25,
      alreadyHeld: 25,
      treeSize: exported.length,
    });
  });
});

describePostgres('import into PostgreSQL with a data directory of its own', () => {
  it('removes the data directory it created when the store is refused after opening it', async () => {
    const config = postgresConfig('pg-first');
    await importLog(config, join(work, 'good.ndjson'), quiet);
    const other = write(
      'other-pg',
      forged(0, (e) => ({ ...e, data: { ...(e.data as object), name: 'Another' } })),
    );
    const fresh = { ...config, dataDir: join(work, 'pg-second') };
    const error = await refusal(importLog(fresh, other, quiet));
    expect(error.message).toMatch(/does not hold the start of this file/);
    expect(existsSync(fresh.dataDir)).toBe(false);
  });
});
