import { createHash, timingSafeEqual } from 'node:crypto';
import type { Role } from '../config.js';

export type Principal = { role: Role; actor: string };

/** A token as the ledger keeps it: its role and the SHA-256 of the token, never the token itself. */
export type TokenDigest = { role: Role; sha256: string };

export const digestOf = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/** The actor recorded in events: the role and the start of the token's digest, stable for one token. */
export const actorOf = ({ role, sha256 }: TokenDigest): string => `${role}#${sha256.slice(0, 8)}`;

type Entry = { role: Role; digest: Buffer; actor: string };

const toEntry = (token: TokenDigest): Entry => ({
  role: token.role,
  digest: Buffer.from(token.sha256, 'hex'),
  actor: actorOf(token),
});

/**
 * Bearer tokens, kept only as SHA-256 digests. Every candidate is compared in constant time, and all
 * of them are compared, so the answer's timing says nothing about which token came close. Fixed
 * tokens (LEDGER_TOKENS) stay for the life of the process; managed ones (the token file) are
 * replaced whenever the file changes, so a token added or revoked takes effect without a restart.
 */
export class TokenRegistry {
  private readonly fixed: Entry[];
  private managed: Entry[] = [];

  constructor(tokens: readonly { role: Role; token: string }[], managed: readonly TokenDigest[] = []) {
    this.fixed = tokens.map(({ role, token }) => toEntry({ role, sha256: digestOf(token) }));
    this.replaceManaged(managed);
  }

  replaceManaged(tokens: readonly TokenDigest[]): void {
    this.managed = tokens.map(toEntry);
  }

  authenticate(token: string): Principal | undefined {
    const candidate = Buffer.from(digestOf(token), 'hex');
    let match: Principal | undefined;
    for (const entry of [...this.fixed, ...this.managed]) {
      if (timingSafeEqual(entry.digest, candidate)) match = { role: entry.role, actor: entry.actor };
    }
    return match;
  }
}
