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
  unwatchFile,
  watchFile,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { allRoles, type Role } from '../config.js';
import { newId } from '../application/ids.js';
import { withFileLock } from './fileLock.js';
import { parseTokenFile, TOKEN_FILE, type StoredToken } from './tokenFileFormat.js';
import { digestOf, type TokenDigest, type TokenRegistry } from './tokens.js';

export { TOKEN_FILE, TokenFileUnreadable, type StoredToken } from './tokenFileFormat.js';

/** A token created a moment ago is looked for in the file at most this often, and only if the file changed. */
const REREAD_AT_MOST_EVERY_MS = 50;

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
    const raw = parseTokenFile(this.file, readFileSync(this.file, 'utf8'));
    if (!Array.isArray(raw)) return raw.tokens;
    const now = new Date().toISOString();
    const upgraded = raw.map(({ role, token }) => this.entry(role, 'generated at first start', token, now));
    this.write(upgraded);
    return upgraded;
  }

  /** The digests that may authenticate now. */
  active(): TokenDigest[] {
    this.loadedAs = this.statSignature(); // before reading: a change made meanwhile is read again later
    return this.list()
      .filter((token) => token.revokedAt === null)
      .map(({ id, role, sha256 }) => ({ id, role, sha256 }));
  }

  private loadedAs: string | undefined;
  private rereadAt = 0;

  /** The file as `stat` sees it; every write renames a new file into place, so the inode changes. */
  private statSignature(): string {
    try {
      const { ino, size, mtimeMs, ctimeMs } = statSync(this.file);
      return `${ino}:${size}:${mtimeMs}:${ctimeMs}`;
    } catch {
      return 'absent';
    }
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

  /**
   * Revokes by id, by actor (`secretariat#tok_…`), or by the actor events recorded before tokens had
   * ids (`secretariat#1a2b3c4d` or `1a2b3c4d`, a prefix of the token's digest).
   */
  revoke(which: string, now = new Date()): StoredToken | undefined {
    return this.locked(() => this.revokeUnlocked(which, now));
  }

  private revokeUnlocked(which: string, now: Date): StoredToken | undefined {
    const bare = which.replace(/^[a-z]+#/, '');
    const digestPrefix = /^[0-9a-f]{8,64}$/.test(bare);
    const tokens = this.list();
    const matches = tokens.filter((t) => t.id === bare || (digestPrefix && t.sha256.startsWith(bare)));
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
   * Keeps `registry` in step with the file: re-read when it changes (checked every `intervalMs`, for
   * revocations), and when a token is not known and the file changed since it was read (so a token
   * the CLI just printed works on its first use). Returns a function that stops watching.
   */
  watch(registry: TokenRegistry, onError: (error: unknown) => void, intervalMs = 1_000): () => void {
    const reload = () => {
      try {
        registry.replaceManaged(this.active());
        return true;
      } catch (error) {
        onError(error); // a file being edited by hand may not parse: keep the tokens we had
        return false;
      }
    };
    watchFile(this.file, { interval: intervalMs, persistent: false }, reload);
    registry.refreshOnUnknown(() => this.changedSinceRead() && reload());
    // watchFile only reports changes after its first look: one made since the tokens were loaded
    // (a revocation while the server was starting) is read now.
    reload();
    return () => {
      registry.refreshOnUnknown(undefined);
      unwatchFile(this.file, reload);
    };
  }

  /**
   * Whether the file changed since it was last read: one `stat`, and not even that within 50 ms of
   * the last re-read, so requests with unknown tokens cannot make the server re-read it in a loop.
   */
  private changedSinceRead(): boolean {
    const now = Date.now();
    if (now - this.rereadAt < REREAD_AT_MOST_EVERY_MS || this.statSignature() === this.loadedAs) return false;
    this.rereadAt = now;
    return true;
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
   * Runs a read-modify-write holding `tokens.json.lock`, so that two CLI runs, or a CLI run and a
   * first start, never lose each other's change; a lock left by a crashed run is taken over.
   */
  private locked<T>(change: () => T): T {
    mkdirSync(dirname(this.file), { recursive: true });
    return withFileLock(`${this.file}.lock`, change);
  }
}
