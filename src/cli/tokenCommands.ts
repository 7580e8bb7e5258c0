import { allRoles, type Config, type Role } from '../config.js';
import { TokenFile } from '../http/tokenFile.js';
import { actorOf, formerActorOf } from '../http/tokens.js';
import { parseOptions, UsageError } from './commandLine.js';

/**
 * npm run ledger -- tokens list | add --role <role> [--name <name>] | revoke <id|actor>
 * Works on the data directory's token file; a running server accepts a new token on its first use
 * and stops accepting a revoked one within seconds.
 * `add` prints the new token alone on stdout (for `TOKEN=$(...)`); it is not stored anywhere.
 */
export const tokens = (config: Config, args: string[], print: (line: string) => void): number => {
  const [action, ...rest] = args;
  const file = new TokenFile(config.dataDir);
  switch (action) {
    case 'list':
      parseOptions('tokens list', rest, {});
      for (const t of file.list()) {
        const state = t.revokedAt ? `revoked ${t.revokedAt}` : 'active';
        // The former actor names the token in events recorded before tokens had ids.
        const former = `earlier events: ${formerActorOf(t)}`;
        print(`${t.id}  ${t.role.padEnd(11)} ${state.padEnd(32)} created ${t.createdAt}  ${former}  ${t.name}`);
      }
      if (config.tokens.length > 0) print(`(and ${config.tokens.length} fixed in LEDGER_TOKENS, not listed)`);
      return 0;
    case 'add': {
      const { values } = parseOptions('tokens add', rest, { role: { type: 'string' }, name: { type: 'string' } });
      if (!values.role || !allRoles.includes(values.role as Role)) {
        throw new UsageError('tokens add needs --role secretariat|auditor|reporter', 'tokens add');
      }
      const { token, stored } = file.add(values.role as Role, values.name ?? '');
      process.stderr.write(`Added ${stored.id} (${actorOf(stored)}); the token is shown only now.\n`);
      print(token);
      return 0;
    }
    case 'revoke': {
      const { positionals } = parseOptions('tokens revoke', rest, {}, true);
      const [which] = positionals;
      if (!which || positionals.length > 1)
        throw new UsageError('tokens revoke needs one token id or actor', 'tokens revoke');
      const revoked = file.revoke(which);
      if (!revoked) {
        process.stderr.write(`No single token matches ${which}; see npm run ledger -- tokens list\n`);
        return 1;
      }
      print(`Revoked ${revoked.id} (${actorOf(revoked)}) at ${revoked.revokedAt ?? ''}`);
      return 0;
    }
    case undefined:
    default:
      throw new UsageError('tokens takes: list, add --role <role> [--name <name>], revoke <id|actor>', 'tokens');
  }
};
