import { parseArgs, type ParseArgsConfig } from 'node:util';
import { commandHelp, type HelpTopic } from './usage.js';

/**
 * A mistake on the command line: the CLI prints it as one line with a pointer to the command's own
 * `--help`, and exits 2. `topic` is the command it concerns (`replay`, `tokens add`).
 */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly topic?: HelpTopic,
  ) {
    super(message);
  }
}

/** The one line a usage error prints: what is wrong, then where the usage is. */
export const usageLine = (error: UsageError): string =>
  `${error.message} (see: npm run ledger -- ${error.topic ? `${error.topic} ` : ''}--help)`;

const HELP_FLAGS = new Set(['--help', '-h']);

/** Whether the arguments ask for help: `--help` or `-h` before any `--` (after it, they are values). */
export const asksForHelp = (args: readonly string[]): boolean => {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((arg) => HELP_FLAGS.has(arg));
};

/**
 * The most specific help topic the words name: `tokens add --help` is about `tokens add`, `tokens
 * --help` about `tokens`, `-h` alone about the whole CLI (undefined).
 */
export const helpTopicOf = (args: readonly string[]): HelpTopic | undefined => {
  const [command, action] = args;
  const both = `${command} ${action}`;
  if (Object.hasOwn(commandHelp, both)) return both as HelpTopic;
  if (command !== undefined && Object.hasOwn(commandHelp, command)) return command as HelpTopic;
  return undefined;
};

/** Node's parseArgs messages, shortened to the part a user needs. */
const parseArgsMessage = (error: Error & { code?: string }): string => {
  const unknown = /^Unknown option '([^']+)'/.exec(error.message);
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && unknown) return `unknown option ${unknown[1]}`;
  return error.message.replace(/\.$/, '');
};

/**
 * Parses a command's options strictly; whatever parseArgs refuses (an unknown option, a missing
 * value, an unexpected argument) becomes a one-line UsageError about `topic`.
 */
export const parseOptions = <const O extends NonNullable<ParseArgsConfig['options']>>(
  topic: HelpTopic,
  args: string[],
  options: O,
  allowPositionals = false,
) => {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals });
  } catch (error) {
    const failure = error as Error & { code?: string };
    if (!failure.code?.startsWith('ERR_PARSE_ARGS')) throw error;
    throw new UsageError(`${topic}: ${parseArgsMessage(failure)}`, topic);
  }
};
