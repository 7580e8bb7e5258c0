import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import { TokenRegistry } from '../http/tokens.js';
import { meetingStream } from '../domain/events.js';
import type { EventStore } from '../eventStore/eventStore.js';
import { closeLedger, openLedger } from '../main.js';
import { demoId, demoMeetings, demoSteps, type DemoStep } from './demoData.js';
import { illustrativeSteps } from './illustrativeData.js';

/** A demo step the ledger refused; the CLI prints the message alone. */
export class DemoFailed extends Error {}

/**
 * The demo loads through the app in this process (inject), never over the network: its tokens are
 * known only here, and fixed, with fixed ids, so that every run is the same actors and its
 * Idempotency-Keys replay. The note's facts are loaded as `secretariat#demo-loader`; invented ones
 * as `secretariat#demo-illustrative`, whose events carry `metadata.illustrative = true`.
 */
const LOADER = { role: 'secretariat', token: 'demo-loader-in-process-only', id: 'demo-loader' } as const;
const ILLUSTRATOR = {
  role: 'secretariat',
  token: 'demo-illustrative-in-process-only',
  id: 'demo-illustrative',
  illustrative: true,
} as const;

type Counts = { appended: number; replayed: number };

/** The Small Group as the demo before December 2026 scheduled it (09:00), with invented facts unmarked. */
const FORMER_SMALL_GROUP = demoId('2017-07-13T09:00:00-04:00', 4);

/** Refuses to add the note's week beside the one an earlier demo loaded: the agenda would hold both. */
const refuseFormerDemo = async (store: EventStore, dataDir: string) => {
  const former = await store.readStream(meetingStream(FORMER_SMALL_GROUP), { maxCount: 1 });
  if (former.length > 0) {
    throw new DemoFailed(
      `${dataDir} holds the demo week as an earlier version loaded it (invented attendance and outcomes, unmarked); load this one into an empty LEDGER_DATA_DIR`,
    );
  }
};

/** Sends each step as its loader, with an Idempotency-Key: a step recorded before appends nothing. */
const load = async (
  app: FastifyInstance,
  steps: DemoStep[],
  loader: { token: string },
  prefix: string,
  counts: Counts,
) => {
  for (const step of steps) {
    const response = await app.inject({
      method: step.method,
      url: step.url,
      payload: step.body,
      headers: { authorization: `Bearer ${loader.token}`, 'idempotency-key': `${prefix}/${step.key}` },
    });
    if (response.statusCode >= 300) {
      throw new DemoFailed(`Demo step ${step.key} was refused: ${response.statusCode} ${response.body}`);
    }
    if (response.headers['idempotent-replayed'] === 'true') counts.replayed += 1;
    else counts.appended += (response.json<{ events: string[] }>().events ?? []).length;
  }
};

/**
 * Loads the demo week through the same command path as any client: the HTTP app's routes, schemas,
 * handler and store. By default only what the media note says (demoData.ts); `illustrative` adds
 * invented attendance, outcomes and closings (illustrativeData.ts), marked as such.
 */
export const runDemo = async (
  config: Config,
  print: (line: string) => void,
  { illustrative = false }: { illustrative?: boolean } = {},
): Promise<void> => {
  const ledger = await openLedger(config, { showTokens: true, catchUpOnly: true });
  if (ledger.generatedTokens) {
    print(`Generated API tokens (only their digests are kept, in ${ledger.generatedTokens.file}; shown only now):`);
    for (const t of ledger.generatedTokens.tokens) print(`  ${t.role.padEnd(12)} ${t.token}`);
    print('');
  }
  const tokens = new TokenRegistry([LOADER, ILLUSTRATOR]);
  // Imported here: other commands of the CLI, which loads this module, do not need fastify.
  const { buildApp } = await import('../http/app.js');
  const app = await buildApp({ ...ledger, tokens, limits: config.limits, logger: false });
  const counts = { appended: 0, replayed: 0 };
  try {
    await refuseFormerDemo(ledger.store, config.dataDir);
    await load(app, demoSteps(), LOADER, 'demo-2017-07-note', counts);
    if (illustrative) await load(app, illustrativeSteps(), ILLUSTRATOR, 'demo-2017-07-illustrative', counts);
    // The projections and the audit log catch up now, so a server started next answers at once.
    ledger.follower.start();
    await ledger.follower.caughtUp;
  } finally {
    await app.close();
    await closeLedger(ledger);
  }
  printSummary(config, print, illustrative, counts);
};

const printSummary = (config: Config, print: (line: string) => void, illustrative: boolean, counts: Counts) => {
  const base = `http://${config.host}:${config.port}`;
  print(
    counts.appended === 0
      ? `The demo is already in ${config.dataDir}: nothing appended (${counts.replayed} steps recorded earlier).`
      : `Demo loaded into ${config.dataDir}: ${counts.appended} events appended, ${counts.replayed} steps already recorded earlier.`,
  );
  print('');
  print('From the State Department media note of 5 July 2017, as it says it: the working groups (2017-07-11),');
  print('the 72-member plenary (2017-07-12) and the Small Group with its Lake Chad Basin session (2017-07-13),');
  print('all scheduled, at 12:00 local time as a placeholder (the note gives days only); the Mosul and Raqqa');
  print('assessments as of 2017-07-05; the earlier Berlin (2016-11-17) and ministerial (2017-03-22) meetings.');
  print(
    illustrative
      ? 'Also loaded, invented for illustration (metadata.illustrative = true): members, attendance, outcomes, closings.'
      : 'Invented attendance, outcomes and closings to try the other features: npm run demo -- --illustrative',
  );
  print('');
  print('Look at them: start the server with `npm start`, then');
  print(
    config.tokens.length > 0
      ? '  TOKEN=<the secretariat token from LEDGER_TOKENS>'
      : '  TOKEN=$(npm run -s ledger -- tokens add --role secretariat --name demo)   # or one printed at first start',
  );
  print(`  open ${base}/ and sign in with it (the console: agenda and timeline)`);
  print(`  curl -H "Authorization: Bearer $TOKEN" "${base}/v1/agenda?from=2017-07-01T00:00:00Z"`);
  print(`  curl -H "Authorization: Bearer $TOKEN" "${base}/v1/timeline?at=2017-07-12"`);
  print(`  curl -H "Authorization: Bearer $TOKEN" ${base}/v1/meetings/${demoMeetings.smallGroup}`);
  print(`  curl -H "Authorization: Bearer $TOKEN" "${base}/v1/agenda.ics?from=2017-07-01T00:00:00Z" > week.ics`);
  print(`  open ${base}/docs for the API`);
};
