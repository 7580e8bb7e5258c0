import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.js';
import { serve } from '../main.js';
import { DemoFailed, runDemo } from './demo.js';
import { rebuildProjections, replayAsOf, UsageError } from './projectionCommands.js';

const usage = `Usage: npm run ledger -- <command>

Commands:
  serve                                   start the HTTP API (the same as npm start)
  demo                                    load the Coalition meetings of July 2017 (and two earlier ones)
  projections rebuild [name]              replay the log from zero into a projection's saved state
                                          (all of agenda, attendance, timeline when no name is given)
  replay --as-of <position|time> [--projection name]
                                          print projections exactly as the ledger stood then, as JSON

Configuration comes from the environment: PORT, HOST, LEDGER_DATA_DIR, LEDGER_STORE, LEDGER_TOKENS, LOG_LEVEL.`;

const print = (line: string) => process.stdout.write(`${line}\n`);

/** Runs one command; resolves to the exit code, or to -1 for a server that keeps running. */
const main = async (argv: string[]): Promise<number> => {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      await serve(loadConfig());
      return -1;
    case 'demo':
      await runDemo(loadConfig(), print);
      return 0;
    case 'projections': {
      const [action, name, ...extra] = rest;
      if (action !== 'rebuild' || extra.length > 0) throw new UsageError('projections takes: rebuild [name]');
      await rebuildProjections(loadConfig(), name, print);
      return 0;
    }
    case 'replay': {
      const { values } = parseArgs({
        args: rest,
        options: { 'as-of': { type: 'string' }, projection: { type: 'string' } },
        strict: true,
        allowPositionals: false,
      });
      if (values['as-of'] === undefined) throw new UsageError('replay needs --as-of <position|time>');
      await replayAsOf(loadConfig(), values['as-of'], values.projection, print);
      return 0;
    }
    case undefined:
    case 'help':
    case '--help':
      print(usage);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`Unknown command: ${command}`);
  }
};

try {
  const code = await main(process.argv.slice(2));
  if (code >= 0) process.exit(code);
} catch (error) {
  if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`${(error as Error).message}\n\n${usage}\n`);
    process.exit(2);
  }
  const known = error instanceof ConfigError || error instanceof DemoFailed;
  process.stderr.write(`${known ? error.message : String((error as Error).stack ?? error)}\n`);
  process.exit(1);
}
