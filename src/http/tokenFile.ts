import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  unwatchFile,
  watchFile,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { allRoles, type Role } from '../config.js';
import { newId } from '../application/ids.js';
import { digestOf, type TokenDigest, type TokenRegistry } from './tokens.js';

const roleSchema = z.enum(allRoles);

const storedToken = z.object({
  id: z.string(),
  role: roleSchema,
  name: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
});
export type StoredToken = z.infer<typeof storedToken>;

const fileSchema = z.object({ version: z.literal(2), tokens: z.array(storedToken) });
/** The first format kept the tokens themselves; it is rewritten as digests when read. */
const legacySchema = z.array(z.object({ role: roleSchema, token: z.string() }));

export const TOKEN_FILE = 'tokens.json';

/** When the lock file was made (now, if it just disappeared). */
const lockAge = (lock: string): number => {
  try {
    return statSync(lock).mtimeMs;
  } catch {
    return Date.now();
  }
};

/**
 * The managed tokens of one ledger (`<data dir>/tokens.json`, mode 0600): digests only, with an id,
 * a name, and when each was created or revoked. Revoked tokens stay listed, so the actors in old
 * events keep a name. Writes go to a temporary file renamed into place: a reader never sees half a file.
 */
export class TokenFile {
  readonly file: string;

  constructor(dataDir: string) {
    this.file = join(dataDir, TOKEN_FILE);
  }

  exists(): boolean {
    return existsSync(this.file);
  }

  list(): StoredToken[] {
    if (!this.exists()) return [];
    const raw = JSON.parse(readFileSync(this.file, 'utf8')) as unknown;
    const legacy = legacySchema.safeParse(raw);
    if (!legacy.success) return fileSchema.parse(raw).tokens;
    const now = new Date().toISOString();
    const upgraded = legacy.data.map(({ role, token }) => this.entry(role, 'generated at first start', token, now));
    this.write(upgraded);
    return upgraded;
  }

  /** The digests that may authenticate now. */
  active(): TokenDigest[] {
    return this.list()
      .filter((token) => token.revokedAt === null)
      .map(({ role, sha256 }) => ({ role, sha256 }));
  }

  /** Creates a token; the token itself is returned once and never stored. */
  add(role: Role, name: string, now = new Date()): { token: string; stored: StoredToken } {
    return this.locked(() => this.addUnlocked(role, name, now));
  }

  private addUnlocked(role: Role, name: string, now: Date): { token: string; stored: StoredToken } {
    const token = randomBytes(24).toString('base64url');
    const stored = this.entry(role, name, token, now.toISOString());
    this.write([...this.list(), stored]);
    return { token, stored };
  }

  /** Revokes by id or by the digest prefix shown as the actor (`secretariat#1a2b3c4d` or `1a2b3c4d`). */
  revoke(idOrFingerprint: string, now = new Date()): StoredToken | undefined {
    return this.locked(() => this.revokeUnlocked(idOrFingerprint, now));
  }

  private revokeUnlocked(idOrFingerprint: string, now: Date): StoredToken | undefined {
    const fingerprint = idOrFingerprint.replace(/^[a-z]+#/, '');
    const tokens = this.list();
    const matches = tokens.filter(
      (t) => t.id === idOrFingerprint || (fingerprint.length >= 8 && t.sha256.startsWith(fingerprint)),
    );
    if (matches.length !== 1) return undefined;
    const revoked = { ...matches[0]!, revokedAt: matches[0]!.revokedAt ?? now.toISOString() };
    this.write(tokens.map((t) => (t.id === revoked.id ? revoked : t)));
    return revoked;
  }

  /**
   * One token per role for a first start with none configured, returned to be shown once; nothing
   * when another process created the file first (two starting at once must not both print tokens).
   */
  generateFirst(now = new Date()): { role: Role; token: string }[] | undefined {
    return this.locked(() =>
      this.exists()
        ? undefined
        : allRoles.map((role) => ({ role, token: this.addUnlocked(role, 'generated at first start', now).token })),
    );
  }

  /**
   * Keeps `registry` in step with the file: re-read when it changes (checked every `intervalMs`).
   * Returns a function that stops watching.
   */
  watch(registry: TokenRegistry, onError: (error: unknown) => void, intervalMs = 1_000): () => void {
    const reload = () => {
      try {
        registry.replaceManaged(this.active());
      } catch (error) {
        onError(error); // a file being edited by hand may not parse: keep the tokens we had
      }
    };
    watchFile(this.file, { interval: intervalMs, persistent: false }, reload);
    // watchFile only reports changes after its first look: one made since the tokens were loaded
    // (a revocation while the server was starting) is read now.
    reload();
    return () => unwatchFile(this.file, reload);
  }

  private entry(role: Role, name: string, token: string, at: string): StoredToken {
    return { id: `tok_${newId()}`, role, name, sha256: digestOf(token), createdAt: at, revokedAt: null };
  }

  /** Written whole, synced, and renamed into place: a reader or a crash never sees half a file. */
  private write(tokens: readonly StoredToken[]): void {
    const directory = dirname(this.file);
    mkdirSync(directory, { recursive: true });
    const temporary = `${this.file}.${randomBytes(6).toString('hex')}.tmp`;
    const fd = openSync(temporary, 'wx', 0o600);
    try {
      writeSync(fd, `${JSON.stringify({ version: 2, tokens }, null, 2)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, this.file);
    const dir = openSync(directory, 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  }

  /**
   * Runs a read-modify-write holding `tokens.json.lock` (created exclusively), so that two CLI runs,
   * or a CLI run and a first start, never lose each other's change. A lock older than 30 s is taken
   * to be left by a crashed process.
   */
  private locked<T>(change: () => T): T {
    mkdirSync(dirname(this.file), { recursive: true });
    const lock = `${this.file}.lock`;
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        closeSync(openSync(lock, 'wx', 0o600));
        break;
      } catch (error) {
        if ((error as { code?: string }).code !== 'EEXIST') throw error;
        if (Date.now() - lockAge(lock) > 30_000) unlinkSync(lock);
        else if (Date.now() > deadline) throw new Error(`${lock} is held by another process`, { cause: error });
        else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
      }
    }
    try {
      return change();
    } finally {
      unlinkSync(lock);
    }
  }
}
