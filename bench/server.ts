import type { CommandBus } from '../src/application/ledgerCommands.js';
import { loadConfig } from '../src/config.js';
import { buildApp } from '../src/http/app.js';
import { closeLedger, openLedger } from '../src/main.js';

/**
 * The server under load, in its own process so the load generator does not share its event loop.
 * `ledger`: the real app on a fresh SQLite file (synchronous=FULL). `ceiling`: the same app, routes,
 * schemas, auth and edge work, with a command bus that appends nothing: the most the HTTP layer can do.
 */
const mode = process.argv[2];
const config = loadConfig();
const ledger = await openLedger(config);

const nothingAppended: CommandBus = {
  execute: async (request) => ({
    status: request.type === 'ScheduleMeeting' ? 201 : 200,
    body: { revision: 0, position: 0, events: [] },
    replayed: false,
  }),
};

// As in production: the projections and the audit log follow the log while commands arrive.
ledger.follower.start();
const app = await buildApp({
  ...ledger,
  commands: mode === 'ceiling' ? nothingAppended : ledger.commands,
  logger: false,
});
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
process.once('SIGTERM', () => {
  void app
    .close()
    .then(() => closeLedger(ledger))
    .then(() => process.exit(0));
});
