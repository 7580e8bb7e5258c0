import type { Role } from '../config.js';
import { TokenFileUnreadable, type TokenFile } from './tokenFile.js';
import { TokenRegistry } from './tokens.js';

/**
 * The tokens a process starts with: the fixed ones (LEDGER_TOKENS) and the token file's. A token
 * file that cannot be read stops the start (TokenFileUnreadable names it), unless fixed tokens are
 * set: then the process starts with those, `onUnreadable` says why the file's are missing, and the
 * file is read again once it changes (see TokenFile.watch).
 */
export const startingTokens = (
  fixed: readonly { role: Role; token: string }[],
  file: TokenFile,
  idKey: Buffer,
  onUnreadable: (error: TokenFileUnreadable) => void,
): TokenRegistry => {
  try {
    return new TokenRegistry(fixed, file.active(), idKey);
  } catch (error) {
    if (!(error instanceof TokenFileUnreadable) || fixed.length === 0) throw error;
    onUnreadable(error);
    return new TokenRegistry(fixed, [], idKey);
  }
};
