import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '../../src/eventStore/sqliteEventStore.js';
import { generateLog } from '../generateLog.js';
import { runCli } from './processes.js';
import { PROJECTION_STORE, settings } from './settings.js';

/** What decides the bytes the generator writes: a change to any of these makes a kept ledger stale. */
const GENERATOR_SOURCES = [
  'bench/generateLog.ts',
  'bench/longMeeting.ts',
  'bench/recordedCommands.ts',
  'bench/scale/generate.ts',
  'src/audit/canonical.ts',
  'src/eventStore/canonicalJson.ts',
  'src/audit/canonicalText.ts',
  'src/application/eventIds.ts',
  'src/domain/events.ts',
  'src/eventStore/sqliteEventStore.ts',
  'src/eventStore/storedRows.ts',
];
const MANIFEST = 'bench-ledger.json';

type Manifest = {
  generator: string;
  events: number;
  longMeetingEvents: number;
  /** Events in the log, and the position of the last. */
  total: number;
  head: number;
  longMeetingId: string;
  generatedMs: number;
  auditMs: number;
};

export type PreparedLedger = Manifest & {
  /** The data directory this run works on (commands append to it). */
  dir: string;
  reused: boolean;
  bytes: number;
  logBytes: number;
  dispose: () => void;
};

const generatorVersion = (): string => {
  const digest = createHash('sha256');
  for (const file of GENERATOR_SOURCES) digest.update(file).update(readFileSync(file));
  return digest.digest('hex').slice(0, 16);
};

const readManifest = (dir: string): Manifest | undefined => {
  try {
    return JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
};

/**
 * Writes the log through the real SQLite store (synchronous=NORMAL: for generation only), then lets
 * the real CLI bring the audit log up to date, as a server following the log would have left it:
 * a leaf for every event and a signed checkpoint every 1000.
 */
const generate = async (dir: string, generator: string): Promise<Manifest> => {
  const started = performance.now();
  const store = new SqliteEventStore(join(dir, 'ledger.sqlite'), { synchronous: 'NORMAL' });
  let generated: Awaited<ReturnType<typeof generateLog>>;
  let head: number;
  try {
    generated = await generateLog(store, settings.events, { longMeetingEvents: settings.longMeetingEvents });
    head = await store.headPosition();
  } finally {
    await store.close();
  }
  const generatedMs = performance.now() - started;
  const audit = await runCli(dir, ['audit', 'checkpoint'], settings.timeoutMs);
  if (audit.code !== 0) throw new Error(`audit checkpoint on the generated ledger failed: ${audit.stdout}`);
  for (const name of PROJECTION_STORE) rmSync(join(dir, name), { recursive: true, force: true }); // the CLI opened it empty
  const manifest: Manifest = {
    generator,
    events: settings.events,
    longMeetingEvents: settings.longMeetingEvents,
    total: generated.events,
    head,
    longMeetingId: generated.longMeetingId ?? '',
    generatedMs,
    auditMs: audit.ms,
  };
  writeFileSync(join(dir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
};

const sizeOf = (dir: string): number => readdirSync(dir).reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);

/**
 * The ledger of this run. With BENCH_KEEP=<dir>, a ledger kept there is reused when the same
 * generator (same sources) wrote it with the same sizes, else generated there; the run then works
 * on a copy, so that the kept one stays as generated. Without it, a temporary one, removed after.
 */
export const prepareLedger = async (): Promise<PreparedLedger> => {
  const generator = generatorVersion();
  const keep = settings.keep;
  if (keep && existsSync(keep) && readdirSync(keep).length > 0 && !readManifest(keep)) {
    throw new Error(`BENCH_KEEP=${keep} holds files that are not a bench ledger: give an empty or new directory`);
  }
  const home = keep ?? mkdtempSync(join(tmpdir(), 'ledger-scale-'));
  const kept = keep ? readManifest(keep) : undefined;
  const reused =
    kept?.generator === generator &&
    kept.events === settings.events &&
    kept.longMeetingEvents === settings.longMeetingEvents;
  if (!reused) {
    rmSync(home, { recursive: true, force: true });
    mkdirSync(home, { recursive: true });
  }
  const manifest = reused ? kept : await generate(home, generator);
  const dir = keep ? mkdtempSync(join(tmpdir(), 'ledger-scale-run-')) : home;
  if (keep) cpSync(keep, dir, { recursive: true });
  return {
    ...manifest,
    dir,
    reused,
    bytes: sizeOf(dir),
    logBytes: statSync(join(dir, 'ledger.sqlite')).size,
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
};
