import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommandHandler, type CommandContext } from '../../src/application/commandHandler.js';
import { LedgerCommands, loadMeeting, type CommandRequest } from '../../src/application/ledgerCommands.js';
import type { EventStore, ReadStreamOptions } from '../../src/eventStore/eventStore.js';
import { SqliteEventStore } from '../../src/eventStore/sqliteEventStore.js';

// The Small Group of 13 July 2017 again, as the handler sees it: requests with every id given.

export const meetingId = '01BKS3Q5G0X7Y8Z9ABCDEFGHJK';
export const mosulOutcomeId = '01BKS3Q5G1A2B3C4D5E6F7G8H9';
export const stream = `meeting-${meetingId}`;

export const schedule: CommandRequest = {
  type: 'ScheduleMeeting',
  data: {
    meetingId,
    title: 'Small Group meeting of the Global Coalition to Defeat ISIS',
    forum: 'small-group',
    startsAt: '2017-07-13T13:00:00.000Z',
    location: 'Washington, D.C.',
    agenda: [{ itemId: 'lake-chad-basin', title: 'Special session: the ISIS threat in the Lake Chad Basin' }],
  },
};
export const invite = (observerId: string): CommandRequest => ({
  type: 'InviteObserver',
  meetingId,
  data: { observerId, name: observerId, kind: 'organization' },
});
export const recordMosul: CommandRequest = {
  type: 'RecordOutcome',
  meetingId,
  data: { outcomeId: mosulOutcomeId, kind: 'assessment', summary: 'Mosul on the verge', theatre: 'mosul' },
};
/** The n-th amendment of the Mosul outcome: each one changes the summary, so each appends an event. */
export const amendMosul = (n: number): CommandRequest => ({
  type: 'AmendOutcome',
  meetingId,
  outcomeId: mosulOutcomeId,
  data: { summary: `Mosul, reading ${n}`, reason: `Correction ${n}` },
});

let commandNumber = 0;
export const context = (overrides: Partial<CommandContext> = {}): CommandContext => {
  commandNumber += 1;
  return {
    commandId: `command-${commandNumber}`,
    correlationId: `correlation-${commandNumber}`,
    causationId: `command-${commandNumber}`,
    actor: 'secretariat#test',
    receivedAt: '2017-07-13T14:00:00.000Z',
    ...overrides,
  };
};

/** A real SQLite store in a fresh folder; `remove` deletes the folder after closing the store. */
export const openStore = (dir = mkdtempSync(join(tmpdir(), 'ledger-handler-'))) => {
  const store = new SqliteEventStore(join(dir, 'ledger.sqlite'), { synchronous: 'NORMAL' });
  return {
    dir,
    store,
    remove: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

export type Ledger = {
  handler: CommandHandler;
  commands: LedgerCommands;
  run: (request: CommandRequest) => Promise<unknown>;
};

export const ledgerOn = (store: EventStore, options: ConstructorParameters<typeof CommandHandler>[1] = {}): Ledger => {
  const handler = new CommandHandler(store, options);
  const commands = new LedgerCommands(handler);
  return { handler, commands, run: (request) => commands.execute(request, context()) };
};

export const readMeeting = (ledger: Ledger) => loadMeeting(ledger.handler, meetingId);

/** Every `readStream` call made on `store` from now on, with its options. */
export const spyOnReads = (store: EventStore) => {
  const calls: { streamId: string; options: ReadStreamOptions }[] = [];
  const readStream = store.readStream.bind(store);
  store.readStream = (streamId, options = {}) => {
    calls.push({ streamId, options });
    return readStream(streamId, options);
  };
  return {
    calls,
    of: (streamId: string) => calls.filter((call) => call.streamId === streamId).map((call) => call.options),
    reset: () => calls.splice(0),
  };
};
