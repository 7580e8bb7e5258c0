import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { allRoles, type Role } from '../config.js';

export type Principal = { role: Role; actor: string };

const digest = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

/**
 * Bearer tokens, kept only as SHA-256 digests. Every candidate is compared in constant time, and all
 * of them are compared, so the answer's timing says nothing about which token came close.
 */
export class TokenRegistry {
  private readonly entries: { role: Role; digest: Buffer; actor: string }[];

  constructor(tokens: readonly { role: Role; token: string }[]) {
    this.entries = tokens.map(({ role, token }) => {
      const d = digest(token);
      return { role, digest: d, actor: `${role}#${d.toString('hex').slice(0, 8)}` };
    });
  }

  authenticate(token: string): Principal | undefined {
    const candidate = digest(token);
    let match: Principal | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.digest, candidate)) match = { role: entry.role, actor: entry.actor };
    }
    return match;
  }
}

const TOKEN_FILE = 'tokens.json';

/**
 * Tokens for a first start with none configured: one per role, generated once into the data folder
 * (mode 0600). Returns the tokens and whether they were just created, so the caller prints them once.
 */
export const ensureTokenFile = (
  dataDir: string,
): { tokens: { role: Role; token: string }[]; created: boolean; file: string } => {
  const file = join(dataDir, TOKEN_FILE);
  if (existsSync(file)) {
    const tokens = JSON.parse(readFileSync(file, 'utf8')) as { role: Role; token: string }[];
    return { tokens, created: false, file };
  }
  mkdirSync(dataDir, { recursive: true });
  const tokens = allRoles.map((role) => ({ role, token: randomBytes(24).toString('base64url') }));
  writeFileSync(file, `${JSON.stringify(tokens, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  return { tokens, created: true, file };
};
