import { z } from 'zod';
import { defaultLimits, type Limits } from './domain/meeting/commands.js';

const roles = ['secretariat', 'auditor', 'reporter'] as const;
export type Role = (typeof roles)[number];
export const allRoles: readonly Role[] = roles;

const tokenEntry = z
  .string()
  .regex(
    /^(secretariat|auditor|reporter):[A-Za-z0-9._~+/=-]{16,256}$/,
    'each entry must be role:token, a token of 16 or more characters',
  );

/** Empty variables count as unset: `PORT=` must not mean port 0. */
const withoutEmpty = (env: NodeJS.ProcessEnv): Record<string, string> =>
  Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => (entry[1] ?? '') !== ''));

/**
 * The limits LEDGER_LIMITS may change: the domain's, the largest page of any answer, and how many
 * long-running requests (live streams, exports) may run at once, per token and in all.
 */
export type LedgerLimits = Limits & {
  pageSize: number;
  eventsPerStream: number;
  liveStreamsPerToken: number;
  liveStreams: number;
  exportsPerToken: number;
  exports: number;
};
export const ledgerLimitDefaults: LedgerLimits = {
  ...defaultLimits,
  pageSize: 1000,
  eventsPerStream: 100_000,
  liveStreamsPerToken: 8,
  liveStreams: 256,
  exportsPerToken: 2,
  exports: 8,
};

/** The most each limit may be set to: past these, one request could hold the process hostage. */
const limitCeilings: Record<keyof LedgerLimits, number> = {
  title: 100_000,
  name: 100_000,
  location: 100_000,
  reason: 1_000_000,
  summary: 1_000_000,
  agendaItemsPerCommand: 10_000,
  agendaItemsPerMeeting: 100_000,
  observersPerMeeting: 100_000,
  outcomesPerMeeting: 1_000_000,
  pageSize: 10_000,
  eventsPerStream: 10_000_000,
  liveStreamsPerToken: 10_000,
  liveStreams: 100_000,
  exportsPerToken: 1_000,
  exports: 10_000,
};

const entries = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');

/** `name=value,...` over the defaults: known names only, each once, whole numbers from 1 to its ceiling. */
const parseLimits = (value: string | undefined, context: z.RefinementCtx): LedgerLimits => {
  const limits = { ...ledgerLimitDefaults };
  const seen = new Set<string>();
  for (const entry of entries(value)) {
    const parts = entry.split('=').map((part) => part.trim());
    const [name = '', number = ''] = parts;
    const known = Object.hasOwn(limitCeilings, name) ? (name as keyof LedgerLimits) : undefined;
    const parsed = /^[1-9][0-9]{0,8}$/.test(number) ? Number(number) : Number.NaN;
    if (parts.length !== 2 || !known || seen.has(name) || !(parsed <= limitCeilings[known])) {
      const names = Object.entries(limitCeilings).map(([n, max]) => `${n} (1-${max})`);
      context.addIssue({
        code: 'custom',
        message: `"${entry}": each entry is name=number once, of ${names.join(', ')}`,
      });
      return limits;
    }
    seen.add(name);
    limits[known] = parsed;
  }
  return limits;
};

/** Browser origins as browsers send them (`https://host[:port]`, lower case, no default port); no wildcard. */
const parseOrigins = (value: string | undefined, context: z.RefinementCtx): string[] =>
  entries(value).flatMap((origin) => {
    let url: URL | undefined;
    try {
      url = new URL(origin);
    } catch {
      url = undefined;
    }
    const plain = url && /^https?:$/.test(url.protocol) && url.pathname === '/' && !url.search && !url.hash;
    if (!url || !plain || origin.includes('*') || url.username !== '') {
      context.addIssue({
        code: 'custom',
        message: `"${origin}": each origin is scheme://host[:port], no path, no wildcard`,
      });
      return [];
    }
    return [url.origin];
  });

/** What a number setting may be: past its range it is refused at start, never clamped. */
type Range = { min: number; max: number; unit: string; fraction?: boolean };

/**
 * A number from the environment, within its range. Every duration stays far under 2^31-1 ms: Node
 * fires a longer timer after 1 ms (a checkpoint interval of 25 days would sign one per event).
 */
const numberSetting = ({ min, max, unit, fraction = false }: Range, fallback: number) =>
  z
    .string()
    .optional()
    .transform((text, context) => {
      if (text === undefined) return fallback;
      const value = (fraction ? /^\d+(\.\d+)?$/ : /^\d+$/).test(text.trim()) ? Number(text) : Number.NaN;
      if (value >= min && value <= max) return value;
      const kind = fraction ? 'a number' : 'a whole number';
      context.addIssue({
        code: 'custom',
        message: `must be ${kind} from ${min} to ${max} (${unit}), not ${JSON.stringify(text.slice(0, 40))}`,
      });
      return z.NEVER;
    });

const configSchema = z
  .object({
    PORT: numberSetting({ min: 0, max: 65_535, unit: 'a TCP port, 0 for any free one' }, 3000),
    HOST: z.string().min(1).default('127.0.0.1'),
    LEDGER_DATA_DIR: z.string().min(1).default('./data'),
    LEDGER_STORE: z.enum(['sqlite', 'postgres', 'eventstoredb']).default('sqlite'),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'a postgres:// connection string')
      .optional(),
    DATABASE_SCHEMA: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'a lower-case SQL identifier')
      .default('public'),
    EVENTSTORE_CONNECTION_STRING: z
      .string()
      .regex(/^esdb(\+discover)?:\/\//, 'an esdb:// or esdb+discover:// connection string')
      .optional(),
    LEDGER_SQLITE_SYNCHRONOUS: z.enum(['FULL', 'NORMAL']).default('FULL'),
    LEDGER_TOKENS: z
      .string()
      .optional()
      .transform((s) =>
        (s ?? '')
          .split(',')
          .map((t) => t.trim())
          .filter((t) => t.length > 0),
      )
      .pipe(z.array(tokenEntry))
      .refine((entries) => {
        const secrets = entries.map((entry) => entry.slice(entry.indexOf(':') + 1));
        return new Set(secrets).size === secrets.length;
      }, 'a token may appear only once: one token, one role'),
    // Opens GET /metrics and nothing else: a scraper need not hold a token that reads the ledger.
    LEDGER_METRICS_TOKEN: z
      .string()
      .regex(/^[A-Za-z0-9._~+/=-]{16,256}$/, 'a token of 16 to 256 characters of A-Z a-z 0-9 . _ ~ + / = -')
      .optional(),
    LEDGER_BODY_LIMIT: numberSetting({ min: 1024, max: 64 * 1024 * 1024, unit: 'bytes' }, 1024 * 1024),
    LEDGER_READY_MAX_LAG: numberSetting({ min: 0, max: 10_000_000, unit: 'events' }, 1_000),
    LEDGER_SIGNING_KEY_FILE: z.string().min(1).optional(),
    LEDGER_LOG_ORIGIN: z
      .string()
      .regex(/^[\x21-\x7e]{1,200}$/, 'one word of visible ASCII')
      .default('meeting-ledger'),
    LEDGER_CHECKPOINT_EVERY_EVENTS: numberSetting({ min: 1, max: 10_000_000, unit: 'events' }, 1_000),
    // At most a day between checkpoints.
    LEDGER_CHECKPOINT_EVERY_SECONDS: numberSetting({ min: 0.01, max: 86_400, unit: 'seconds', fraction: true }, 60),
    LEDGER_RATE_LIMIT: numberSetting({ min: 0, max: 1_000_000, unit: 'requests a minute' }, 6_000),
    LEDGER_CORS_ORIGINS: z.string().optional().transform(parseOrigins),
    LEDGER_MAX_EVENT_LOOP_DELAY_MS: numberSetting({ min: 0, max: 60_000, unit: 'milliseconds' }, 1_000),
    LEDGER_LIMITS: z.string().optional().transform(parseLimits),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .superRefine((c, context) => {
    if (c.LEDGER_STORE === 'postgres' && !c.DATABASE_URL) {
      context.addIssue({ code: 'custom', path: ['DATABASE_URL'], message: 'required when LEDGER_STORE=postgres' });
    }
    const secrets = c.LEDGER_TOKENS.map((entry) => entry.slice(entry.indexOf(':') + 1));
    if (c.LEDGER_METRICS_TOKEN !== undefined && secrets.includes(c.LEDGER_METRICS_TOKEN)) {
      context.addIssue({
        code: 'custom',
        path: ['LEDGER_METRICS_TOKEN'],
        message: 'must differ from every LEDGER_TOKENS token: one token, one use',
      });
    }
    if (c.LEDGER_STORE === 'eventstoredb' && !c.EVENTSTORE_CONNECTION_STRING) {
      context.addIssue({
        code: 'custom',
        path: ['EVENTSTORE_CONNECTION_STRING'],
        message: 'required when LEDGER_STORE=eventstoredb',
      });
    }
  });

/** Which adapter holds the events, and where it is. */
export type StoreConfig =
  | { kind: 'sqlite' }
  | { kind: 'postgres'; url: string; schema: string }
  | { kind: 'eventstoredb'; connectionString: string };

export type Config = {
  port: number;
  host: string;
  dataDir: string;
  store: StoreConfig;
  sqliteSynchronous: 'FULL' | 'NORMAL';
  tokens: { role: Role; token: string }[];
  /** Opens GET /metrics only (LEDGER_METRICS_TOKEN); secretariat and auditor tokens open it too. */
  metricsToken?: string;
  bodyLimit: number;
  readyMaxLag: number;
  audit: {
    signingKeyFile: string | undefined;
    origin: string;
    checkpointEveryEvents: number;
    checkpointEveryMs: number;
  };
  logLevel: z.infer<typeof configSchema>['LOG_LEVEL'];
  limits: LedgerLimits;
  protection: {
    /** Per token per minute; absent when LEDGER_RATE_LIMIT=0. */
    rateLimit?: { max: number; windowMs: number };
    corsOrigins: string[];
    maxEventLoopDelayMs?: number;
  };
};

export class ConfigError extends Error {}

/** Reads the environment once, at start; a bad value stops the process with a message naming it. */
export const loadConfig = (env: NodeJS.ProcessEnv = process.env): Config => {
  const parsed = configSchema.safeParse(withoutEmpty(env));
  if (!parsed.success) {
    // One line per refused variable, naming it: the line an operator sees when the process will not start.
    const lines = parsed.error.issues.map(
      (issue) => `Invalid configuration: ${issue.path.join('.') || '(environment)'}: ${issue.message}`,
    );
    throw new ConfigError(lines.join('\n'));
  }
  const c = parsed.data;
  return {
    port: c.PORT,
    host: c.HOST,
    dataDir: c.LEDGER_DATA_DIR,
    store: storeConfig(c),
    sqliteSynchronous: c.LEDGER_SQLITE_SYNCHRONOUS,
    tokens: c.LEDGER_TOKENS.map((entry) => {
      const at = entry.indexOf(':');
      return { role: entry.slice(0, at) as Role, token: entry.slice(at + 1) };
    }),
    ...(c.LEDGER_METRICS_TOKEN !== undefined && { metricsToken: c.LEDGER_METRICS_TOKEN }),
    bodyLimit: c.LEDGER_BODY_LIMIT,
    readyMaxLag: c.LEDGER_READY_MAX_LAG,
    audit: {
      signingKeyFile: c.LEDGER_SIGNING_KEY_FILE,
      origin: c.LEDGER_LOG_ORIGIN,
      checkpointEveryEvents: c.LEDGER_CHECKPOINT_EVERY_EVENTS,
      checkpointEveryMs: c.LEDGER_CHECKPOINT_EVERY_SECONDS * 1000,
    },
    logLevel: c.LOG_LEVEL,
    limits: c.LEDGER_LIMITS,
    protection: {
      ...(c.LEDGER_RATE_LIMIT > 0 && { rateLimit: { max: c.LEDGER_RATE_LIMIT, windowMs: 60_000 } }),
      corsOrigins: c.LEDGER_CORS_ORIGINS,
      ...(c.LEDGER_MAX_EVENT_LOOP_DELAY_MS > 0 && { maxEventLoopDelayMs: c.LEDGER_MAX_EVENT_LOOP_DELAY_MS }),
    },
  };
};

const storeConfig = (c: z.infer<typeof configSchema>): StoreConfig => {
  switch (c.LEDGER_STORE) {
    case 'sqlite':
      return { kind: 'sqlite' };
    case 'postgres':
      return { kind: 'postgres', url: c.DATABASE_URL ?? '', schema: c.DATABASE_SCHEMA };
    case 'eventstoredb':
      return { kind: 'eventstoredb', connectionString: c.EVENTSTORE_CONNECTION_STRING ?? '' };
  }
};
