import type { Role } from '../config.js';
import { TokenFileUnreadable, type TokenFile } from './tokenFile.js';
import { TokenRegistry, withIds } from './tokens.js';

/**
 * The tokens a process starts with: the fixed ones (LEDGER_TOKENS) and the token file's. A token
 * file that cannot be read stops the start (TokenFileUnreadable names it), unless fixed tokens are
 * set: then the process starts with those, `onUnreadable` says why the file's are missing, and the
 * file is read again once it changes (see TokenFile.watch).
 */
export const startingTokens = async (
  given: readonly { role: Role; token: string }[],
  file: TokenFile,
  onUnreadable: (error: TokenFileUnreadable) => void,
): Promise<TokenRegistry> => {
  const fixed = await withIds(given);
  try {
    return new TokenRegistry(fixed, file.active());
  } catch (error) {
    if (!(error instanceof TokenFileUnreadable) || fixed.length === 0) throw error;
    onUnreadable(error);
    return new TokenRegistry(fixed, []);
  }
};
