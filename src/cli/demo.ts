import type { Config } from '../config.js';
import { buildApp } from '../http/app.js';
import { TokenRegistry } from '../http/tokens.js';
import { meetingStream } from '../domain/events.js';
import { closeLedger, openLedger } from '../main.js';
import { demoMeetings, demoSteps } from './demoData.js';

/** A demo step the ledger refused; the CLI prints the message alone. */
export class DemoFailed extends Error {}

/**
 * The demo loads through the app in this process (inject), never over the network: its token is
 * known only here, and fixed, with a fixed id, so that every run is the same actor
 * (`secretariat#demo-loader`) and its Idempotency-Keys replay.
 */
const LOADER_TOKEN = 'demo-loader-in-process-only';

/**
 * Loads the demo week through the same command path as any client: the HTTP app's routes, schemas,
 * handler and store. Every step carries an Idempotency-Key, so a second run appends nothing.
 */
export const runDemo = async (config: Config, print: (line: string) => void): Promise<void> => {
  const ledger = await openLedger(config, { showTokens: true });
  if (ledger.generatedTokens) {
    print(`Generated API tokens (only their digests are kept, in ${ledger.generatedTokens.file}; shown only now):`);
    for (const t of ledger.generatedTokens.tokens) print(`  ${t.role.padEnd(12)} ${t.token}`);
    print('');
  }
  const tokens = new TokenRegistry([{ role: 'secretariat', token: LOADER_TOKEN, id: 'demo-loader' }]);
  const app = await buildApp({ ...ledger, tokens, limits: config.limits, logger: false });
  let appended = 0;
  let replayed = 0;
  try {
    // Its last step closes the Small Group: if that is recorded, the whole week is, whoever loaded it.
    const last = await ledger.store.readStream(meetingStream(demoMeetings.smallGroup), {
      direction: 'backwards',
      maxCount: 1,
    });
    const steps = last[0]?.type === 'MeetingClosed' ? [] : demoSteps();
    if (steps.length === 0) print('The demo week is already in this ledger; nothing appended.');
    for (const step of steps) {
      const response = await app.inject({
        method: step.method,
        url: step.url,
        payload: step.body,
        headers: { authorization: `Bearer ${LOADER_TOKEN}`, 'idempotency-key': `demo-2017-07/${step.key}` },
      });
      if (response.statusCode >= 300) {
        throw new DemoFailed(`Demo step ${step.key} was refused: ${response.statusCode} ${response.body}`);
      }
      if (response.headers['idempotent-replayed'] === 'true') replayed += 1;
      else appended += (response.json<{ events: string[] }>().events ?? []).length;
    }
    // The projections and the audit log catch up now, so a server started next answers at once.
    ledger.follower.start();
    await ledger.follower.caughtUp;
  } finally {
    await app.close();
    await closeLedger(ledger);
  }
  const base = `http://${config.host}:${config.port}`;
  print(`Demo loaded into ${config.dataDir}: ${appended} events appended, ${replayed} steps already recorded earlier.`);
  print('');
  print(
    'Meetings: Berlin political directors (2016-11-17), ministerial (2017-03-22), four working groups (2017-07-11),',
  );
  print('the 72-member plenary (2017-07-12) and the Small Group with its Lake Chad Basin session (2017-07-13).');
  print('');
  print('Look at them: start the server with `npm start`, then');
  print(
    config.tokens.length > 0
      ? '  TOKEN=<the secretariat token from LEDGER_TOKENS>'
      : '  TOKEN=$(npm run -s ledger -- tokens add --role secretariat --name demo)   # or one printed at first start',
  );
  print(`  curl -H "Authorization: Bearer $TOKEN" ${base}/v1/meetings/${demoMeetings.smallGroup}`);
  print(`  curl -H "Authorization: Bearer $TOKEN" ${base}/v1/meetings/${demoMeetings.plenary}/events`);
  print(`  curl -H "Authorization: Bearer $TOKEN" "${base}/v1/events?limit=20"`);
  print(`  open ${base}/docs for the API`);
};
