import { createHash, scrypt, timingSafeEqual } from 'node:crypto';
import type { Role } from '../config.js';

export type Principal = {
  role: Role;
  /** Who acted, as events record it: the role and the token's id, which says nothing of the token. */
  actor: string;
  /** The token's id, unique among this ledger's tokens: the scope of the caller's Idempotency-Keys. */
  id: string;
  /**
   * The actor recorded before tokens had ids (`role#` and 8 hex digits of the token's SHA-256): only
   * to find an Idempotency-Key kept then, so a retry across the upgrade is still answered once.
   */
  formerActor: string;
  /** Everything this caller appends is sample data (the demo's in-process --illustrative loader only). */
  illustrative?: true;
};

/** A token as the ledger keeps it: its id, its role and the SHA-256 of the token, never the token itself. */
export type TokenDigest = { id: string; role: Role; sha256: string };

/**
 * A token given in full (LEDGER_TOKENS), with its id (see `fixedTokenId`). `illustrative`: only
 * for a token made in process, never from the environment or the token file (see Principal).
 */
export type FixedToken = { role: Role; token: string; id: string; illustrative?: true };

export const digestOf = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/** The actor recorded in events: the role and the token's id. */
export const actorOf = ({ role, id }: { role: Role; id: string }): string => `${role}#${id}`;

/** The actor events recorded for this token before tokens had ids. */
export const formerActorOf = ({ role, sha256 }: { role: Role; sha256: string }): string =>
  `${role}#${sha256.slice(0, 8)}`;

/** scrypt's cost: ~0.1 s and 32 MiB per derivation, once per token at start. */
const ID_COST = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

/**
 * The id of a token given in the environment: scrypt of the token under a fixed salt, 128 bits in
 * base64url. Every process that is given the token derives the same id with no secret to share, so
 * instances behind one store agree on actors and on the scope of Idempotency-Keys (an id derived
 * under a per-instance key made a key sent to two instances append twice). The id is published in
 * every event's `metadata.actor`: scrypt makes each offline guess at an operator-chosen token cost
 * ~0.1 s and 32 MiB (the earlier 8-hex SHA-256 prefix cost nanoseconds and collided in 32 bits).
 * Generated tokens (192 bits) cannot be guessed at any cost.
 */
export const fixedTokenId = (token: string): Promise<string> =>
  new Promise((resolve, reject) =>
    scrypt(token, 'meeting-ledger token id v1', 16, ID_COST, (error, key) =>
      error ? reject(error) : resolve(`env_${key.toString('base64url')}`),
    ),
  );

/** The fixed tokens with their ids, derived side by side (scrypt runs in the thread pool). */
export const withIds = (tokens: readonly { role: Role; token: string }[]): Promise<FixedToken[]> =>
  Promise.all(tokens.map(async (token) => ({ ...token, id: await fixedTokenId(token.token) })));

type Entry = { digest: Buffer; principal: Principal };

const toEntry = (token: TokenDigest & { illustrative?: true }): Entry => ({
  digest: Buffer.from(token.sha256, 'hex'),
  principal: {
    ...{ role: token.role, actor: actorOf(token), id: token.id, formerActor: formerActorOf(token) },
    ...(token.illustrative && { illustrative: true }),
  },
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
  private refresh: (() => boolean) | undefined;

  constructor(tokens: readonly FixedToken[], managed: readonly TokenDigest[] = []) {
    this.fixed = tokens.map(({ token, ...fixed }) => toEntry({ ...fixed, sha256: digestOf(token) }));
    this.replaceManaged(managed);
  }

  replaceManaged(tokens: readonly TokenDigest[]): void {
    this.managed = tokens.map(toEntry);
  }

  /**
   * Asked before a token is refused: `refresh` reloads the managed tokens if their source changed
   * and says whether it did, so a token created a moment ago is accepted on its first use.
   */
  refreshOnUnknown(refresh: (() => boolean) | undefined): void {
    this.refresh = refresh;
  }

  authenticate(token: string): Principal | undefined {
    const candidate = Buffer.from(digestOf(token), 'hex');
    return this.match(candidate) ?? (this.refresh?.() ? this.match(candidate) : undefined);
  }

  /** The principal of the token with this id, while the token is still known (a session's token). */
  byId(id: string): Principal | undefined {
    return [...this.fixed, ...this.managed].find((entry) => entry.principal.id === id)?.principal;
  }

  private match(candidate: Buffer): Principal | undefined {
    let match: Principal | undefined;
    for (const entry of [...this.fixed, ...this.managed]) {
      if (timingSafeEqual(entry.digest, candidate)) match = entry.principal;
    }
    return match;
  }
}
