import { z } from 'zod';
import { allRoles, ConfigError } from '../config.js';

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

/** A token file that does not parse: the message names the file and what is wrong with it. */
export class TokenFileUnreadable extends ConfigError {
  constructor(file: string, error: unknown) {
    const issue = error instanceof z.ZodError ? error.issues[0] : undefined;
    const reason = issue ? `${issue.path.join('.') || 'the file'}: ${issue.message}` : String((error as Error).message);
    super(`${file} is not a valid token file (${reason}); repair it, or move it away to start without managed tokens`, {
      cause: error,
    });
  }
}

/** The file's content: the current format, or the first one (an array of role and token) to be rewritten. */
export const parseTokenFile = (
  file: string,
  text: string,
): z.infer<typeof fileSchema> | z.infer<typeof legacySchema> => {
  try {
    const raw = JSON.parse(text) as unknown;
    const legacy = legacySchema.safeParse(raw);
    return legacy.success ? legacy.data : fileSchema.parse(raw);
  } catch (error) {
    throw new TokenFileUnreadable(file, error);
  }
};
