import { parseArgs } from 'node:util';
import { DataDirectoryLocked } from '../application/dataDirectoryLock.js';
import { ConfigError, loadConfig } from '../config.js';
import { serve } from '../main.js';
import { LedgerError } from '../domain/errors.js';
import { exportLog } from './exportImport.js';
import { ImportRefused } from './importCheck.js';
import { importLog } from './importLog.js';
import {
  auditCheckpoint,
  auditConsistency,
  auditProve,
  auditPublicKey,
  auditReplay,
  auditVerify,
} from './auditCommands.js';
import { AuditCliRefusal } from './readOnlyLedger.js';
import { DemoFailed, runDemo } from './demo.js';
import { rebuildProjections, replayAsOf, UsageError } from './projectionCommands.js';
import { tokens } from './tokenCommands.js';

const usage = `Usage: npm run ledger -- <command>

Commands:
  serve                                   start the HTTP API (the same as npm start)
  demo                                    load the Coalition meetings of July 2017 (and two earlier ones)
  projections rebuild [name]              replay the log from zero into a projection's saved state
                                          (all of agenda, attendance, timeline when no name is given)
  replay --as-of <position|time> [--projection name]
                                          print projections exactly as the ledger stood then, as JSON
  audit verify [--checkpoint file]... [--public-key file.pem]
                                          recompute every hash, chain and checkpoint, reading only; exit 1
                                          at a break, and prove the log extends each checkpoint file given
  audit public-key                        print the public key checkpoints are signed with (PEM)
  audit checkpoint                        sign a checkpoint of the log now and print it (> cp.txt)
  audit prove --position <p> --checkpoint <file>
                                          inclusion proof of an event, verified against the checkpoint
  audit consistency <old.txt> <new.txt>   consistency proof between two checkpoints, verified
  audit replay --as-of <position|time>    rebuild every projection up to then and print digests; at the
                                          head, compare with the live projections
  tokens list                             managed API tokens (ids, roles, actors, revoked or not)
  tokens add --role <role> [--name <n>]   create a token; prints it once on stdout (stored as a digest)
  tokens revoke <id|actor>                revoke a token; a running server stops accepting it in seconds
  export --format ndjson [--to file]      the whole log, one event per line, with hashes
  import --from <file>                    append an export into an empty store, all or nothing (every line
                                          checked first), then verify it

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
    case 'tokens':
      return tokens(loadConfig(), rest, print);
    case 'audit':
      return audit(rest);
    case 'export': {
      const { values } = parseArgs({
        args: rest,
        options: { format: { type: 'string', default: 'ndjson' }, to: { type: 'string' } },
        strict: true,
      });
      if (values.format !== 'ndjson') throw new UsageError('export writes --format ndjson only');
      return exportLog(loadConfig(), values.to, print);
    }
    case 'import': {
      const { values } = parseArgs({ args: rest, options: { from: { type: 'string' } }, strict: true });
      if (!values.from) throw new UsageError('import needs --from <file>');
      return importLog(loadConfig(), values.from, print);
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

/** An audit command's refusal is one line on stderr and its exit code. */
const audit = async (args: string[]): Promise<number> => {
  try {
    return await auditCommand(args);
  } catch (error) {
    if (!(error instanceof AuditCliRefusal)) throw error;
    process.stderr.write(`${error.message}\n`);
    return error.exitCode;
  }
};

const auditCommand = async (args: string[]): Promise<number> => {
  const [action, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    options: {
      checkpoint: { type: 'string', multiple: true },
      position: { type: 'string' },
      'as-of': { type: 'string' },
      'public-key': { type: 'string' },
    },
    strict: true,
    allowPositionals: true,
  });
  const config = loadConfig();
  switch (action) {
    case 'verify':
      return auditVerify(
        config,
        { checkpointFiles: values.checkpoint ?? [], publicKeyFile: values['public-key'] },
        print,
      );
    case 'public-key':
      return auditPublicKey(config, print);
    case 'checkpoint':
      return auditCheckpoint(config, print);
    case 'replay':
      if (values['as-of'] === undefined) throw new UsageError('audit replay needs --as-of <position|time>');
      return auditReplay(config, values['as-of'], print);
    case 'prove': {
      const [file] = values.checkpoint ?? [];
      if (!values.position || !/^\d+$/.test(values.position) || !file) {
        throw new UsageError('audit prove needs --position <p> --checkpoint <file>');
      }
      return auditProve(config, Number(values.position), file, print);
    }
    case 'consistency': {
      const [older, newer] = positionals;
      if (!older || !newer) throw new UsageError('audit consistency needs <old checkpoint file> <new checkpoint file>');
      return auditConsistency(config, older, newer, print);
    }
    case undefined:
    default:
      throw new UsageError('audit takes: verify, public-key, checkpoint, prove, consistency, replay');
  }
};

// What the CLI creates (databases, exports, tokens, locks) is the owner's alone, as the server's files are.
process.umask(0o077);
try {
  const code = await main(process.argv.slice(2));
  if (code >= 0) process.exit(code);
} catch (error) {
  if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`${(error as Error).message}\n\n${usage}\n`);
    process.exit(2);
  }
  const known =
    error instanceof ConfigError ||
    error instanceof DataDirectoryLocked ||
    error instanceof AuditCliRefusal ||
    error instanceof DemoFailed ||
    error instanceof ImportRefused ||
    error instanceof LedgerError ||
    /signature|checkpoint/.test(String((error as Error).message));
  process.stderr.write(`${known ? (error as Error).message : String((error as Error).stack ?? error)}\n`);
  process.exit(1);
}
