import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { asksForHelp, helpTopicOf, parseOptions, UsageError, usageLine } from '../../src/cli/commandLine.js';
import { commandHelp, overallUsage, type HelpTopic } from '../../src/cli/usage.js';

describe('which help the words ask for', () => {
  it('finds every command’s and subcommand’s own help from its words', () => {
    for (const topic of Object.keys(commandHelp) as HelpTopic[]) {
      expect(helpTopicOf(topic.split(' ')), topic).toBe(topic);
      expect(commandHelp[topic], topic).toMatch(new RegExp(`^Usage: npm run ledger -- ${topic}\\b`));
      expect(overallUsage, topic).toContain(`  ${topic}`);
    }
  });

  it('takes the most specific topic, the command when the action is unknown, and none for no command', () => {
    expect(helpTopicOf(['tokens', 'add', 'x'])).toBe('tokens add');
    expect(helpTopicOf(['tokens', 'rename'])).toBe('tokens');
    expect(helpTopicOf(['replay', '40'])).toBe('replay');
    expect(helpTopicOf([])).toBeUndefined();
    expect(helpTopicOf(['frobnicate'])).toBeUndefined();
  });

  it('reads --help and -h as flags before --, and as values after it', () => {
    expect(asksForHelp(['tokens', 'add', '--role', 'auditor', '-h'])).toBe(true);
    expect(asksForHelp(['tokens', 'revoke', '--', '--help'])).toBe(false);
    expect(asksForHelp(['replay', '--as-of', '3'])).toBe(false);
  });
});

describe('options refused', () => {
  const refusal = (run: () => unknown): UsageError => {
    try {
      run();
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError);
      return error as UsageError;
    }
    throw new Error('expected a UsageError');
  };

  it('makes an unknown option one line about its command, with the pointer to its --help', () => {
    const error = refusal(() => parseOptions('tokens add', ['--rol', 'x'], { role: { type: 'string' } }));
    expect(usageLine(error)).toBe('tokens add: unknown option --rol (see: npm run ledger -- tokens add --help)');
  });

  it('makes a missing value and an unexpected argument one line each too', () => {
    const missing = refusal(() => parseOptions('replay', ['--as-of'], { 'as-of': { type: 'string' } }));
    expect(usageLine(missing)).toMatch(/^replay: Option '--as-of <value>' argument missing \(see: [^\n]+\)$/);
    const extra = refusal(() => parseOptions('serve', ['now'], {}));
    expect(usageLine(extra)).toMatch(/^serve: Unexpected argument 'now'[^\n]+--help\)$/);
  });
});

describe('the README', () => {
  it('lists every command as the CLI prints it', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const commands = overallUsage.slice(overallUsage.indexOf('Commands:\n'), overallUsage.indexOf('\n\nExit codes:'));
    expect(readme).toContain(`\`\`\`text\n${commands}\n\`\`\``);
  });
});
