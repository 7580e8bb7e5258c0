import { ConfigError, loadConfig } from '../config.js';
import { serve } from '../main.js';
import { runDemo } from './demo.js';

const usage = `Usage: npm run ledger -- <command>

Commands:
  serve   start the HTTP API (the same as npm start)
  demo    load the Coalition meetings of July 2017 (and two earlier ones) through the command path

Configuration comes from the environment: PORT, HOST, LEDGER_DATA_DIR, LEDGER_STORE, LEDGER_TOKENS, LOG_LEVEL.`;

const main = async (argv: string[]): Promise<number> => {
  const [command] = argv;
  switch (command) {
    case 'serve':
      await serve(loadConfig());
      return -1; // keeps running until a signal stops it
    case 'demo':
      await runDemo(loadConfig(), (line) => process.stdout.write(`${line}\n`));
      return 0;
    case undefined:
    case 'help':
    case '--help':
      process.stdout.write(`${usage}\n`);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`Unknown command: ${command}\n\n${usage}\n`);
      return 2;
  }
};

try {
  const code = await main(process.argv.slice(2));
  if (code >= 0) process.exit(code);
} catch (error) {
  process.stderr.write(`${error instanceof ConfigError ? error.message : String((error as Error).stack ?? error)}\n`);
  process.exit(1);
}
