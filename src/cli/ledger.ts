import { CatchUpFailed } from '../application/logFollower.js';
import { DataDirectoryLocked } from '../application/dataDirectoryLock.js';
import { ConfigError, loadConfig } from '../config.js';
import { PortInUse, serve } from '../main.js';
import { LedgerError } from '../domain/errors.js';
import { audit } from './auditCommandLine.js';
import { asksForHelp, helpTopicOf, parseOptions, UsageError, usageLine } from './commandLine.js';
import { exportLog } from './exportImport.js';
import { ImportRefused } from './importCheck.js';
import { importLog } from './importLog.js';
import { AuditCliRefusal } from './readOnlyLedger.js';
import { DemoFailed, runDemo } from './demo.js';
import { rebuildProjections, replayAsOf } from './projectionCommands.js';
import { tokens } from './tokenCommands.js';
import { commandHelp, overallUsage } from './usage.js';

const print = (line: string) => process.stdout.write(`${line}\n`);

/** `help [command]` and `<command> [action] --help|-h`: the usage of what the words name, on stdout. */
const help = (words: string[]): number => {
  const topic = helpTopicOf(words);
  if (words.length > 0 && topic === undefined) throw new UsageError(`Unknown command: ${words.join(' ')}`);
  print(topic === undefined ? overallUsage : commandHelp[topic]);
  return 0;
};

/** Runs one command; resolves to the exit code, or to -1 for a server that keeps running. */
const main = async (argv: string[]): Promise<number> => {
  const [command, ...rest] = argv;
  if (asksForHelp(argv)) return help(argv.filter((arg) => !arg.startsWith('-')));
  if (command === 'help') return help(rest);
  switch (command) {
    case 'serve':
      parseOptions('serve', rest, {});
      await serve(loadConfig());
      return -1;
    case 'demo': {
      const { values } = parseOptions('demo', rest, { illustrative: { type: 'boolean', default: false } });
      await runDemo(loadConfig(), print, { illustrative: values.illustrative });
      return 0;
    }
    case 'projections': {
      const [action, ...more] = rest;
      if (action !== 'rebuild') throw new UsageError('projections takes: rebuild [name]', 'projections');
      const { positionals } = parseOptions('projections rebuild', more, {}, true);
      if (positionals.length > 1) throw new UsageError('projections rebuild takes at most one name', 'projections');
      await rebuildProjections(loadConfig(), positionals[0], print);
      return 0;
    }
    case 'replay': {
      const { values } = parseOptions('replay', rest, {
        'as-of': { type: 'string' },
        at: { type: 'string' },
        projection: { type: 'string' },
      });
      await replayAsOf(loadConfig(), { asOf: values['as-of'], at: values.at }, values.projection, print);
      return 0;
    }
    case 'tokens':
      return tokens(loadConfig(), rest, print);
    case 'audit':
      return audit(rest, print);
    case 'export': {
      const { values } = parseOptions('export', rest, {
        format: { type: 'string', default: 'ndjson' },
        to: { type: 'string' },
      });
      if (values.format !== 'ndjson') throw new UsageError('export writes --format ndjson only', 'export');
      return exportLog(loadConfig(), values.to, print);
    }
    case 'import': {
      const { values } = parseOptions('import', rest, { from: { type: 'string' } });
      if (!values.from) throw new UsageError('import needs --from <file>', 'import');
      return importLog(loadConfig(), values.from, print);
    }
    case undefined:
      process.stderr.write(`${overallUsage}\n`);
      return 2;
    default:
      throw new UsageError(`Unknown command: ${command}`);
  }
};

/** Refusals the CLI prints as their message alone: the user can act on them without a stack. */
const isKnown = (error: unknown): boolean =>
  error instanceof ConfigError ||
  error instanceof DataDirectoryLocked ||
  error instanceof AuditCliRefusal ||
  error instanceof CatchUpFailed ||
  error instanceof DemoFailed ||
  error instanceof ImportRefused ||
  error instanceof LedgerError ||
  error instanceof PortInUse ||
  // A file that cannot be opened or created: Node's message names the file and the reason.
  typeof (error as { syscall?: unknown }).syscall === 'string' ||
  /signature|checkpoint/.test(String((error as Error).message));

// What the CLI creates (databases, exports, tokens, locks) is the owner's alone, as the server's files are.
process.umask(0o077);
try {
  const code = await main(process.argv.slice(2));
  if (code >= 0) process.exit(code);
} catch (error) {
  if (error instanceof UsageError) {
    process.stderr.write(`${usageLine(error)}\n`);
    process.exit(2);
  }
  process.stderr.write(`${isKnown(error) ? (error as Error).message : String((error as Error).stack ?? error)}\n`);
  process.exit(1);
}
