import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

describe('configuration from the environment', () => {
  it('defaults to an embedded SQLite ledger on 127.0.0.1:3000 under ./data', () => {
    expect(loadConfig({})).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      dataDir: './data',
      store: { kind: 'sqlite' },
      sqliteSynchronous: 'FULL',
      tokens: [],
      bodyLimit: 1024 * 1024,
      logLevel: 'info',
    });
  });

  it('selects PostgreSQL with its connection string and schema, or EventStoreDB with its own', () => {
    const postgres = { LEDGER_STORE: 'postgres', DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test' };
    expect(loadConfig(postgres).store).toEqual({
      kind: 'postgres',
      url: 'postgres://postgres@127.0.0.1:5432/test',
      schema: 'public',
    });
    expect(loadConfig({ ...postgres, DATABASE_SCHEMA: 'ledger' }).store).toMatchObject({ schema: 'ledger' });
    const cluster = 'esdb+discover://node1:2113,node2:2113,node3:2113?tls=false';
    expect(loadConfig({ LEDGER_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: cluster }).store).toEqual({
      kind: 'eventstoredb',
      connectionString: cluster,
    });
  });

  it('limits each token to 6000 requests a minute, sheds load past 1 s of event-loop lag, and keeps CORS off by default', () => {
    expect(loadConfig({}).protection).toEqual({
      rateLimit: { max: 6000, windowMs: 60_000 },
      corsOrigins: [],
      maxEventLoopDelayMs: 1000,
    });
    expect(
      loadConfig({
        LEDGER_RATE_LIMIT: '0',
        LEDGER_MAX_EVENT_LOOP_DELAY_MS: '0',
        LEDGER_CORS_ORIGINS: 'https://a.example, http://localhost:5173',
      }).protection,
    ).toEqual({ corsOrigins: ['https://a.example', 'http://localhost:5173'] });
    // as a browser sends it: lower case, no default port
    expect(loadConfig({ LEDGER_CORS_ORIGINS: 'https://Secretariat.Example:443/' }).protection.corsOrigins).toEqual([
      'https://secretariat.example',
    ]);
  });

  it('reads LEDGER_LIMITS as name=value pairs over the defaults', () => {
    expect(loadConfig({}).limits).toMatchObject({ summary: 4000, agendaItemsPerMeeting: 200, pageSize: 1000 });
    expect(loadConfig({ LEDGER_LIMITS: 'summary=8000, agendaItemsPerMeeting=50,pageSize=200' }).limits).toMatchObject({
      summary: 8000,
      agendaItemsPerMeeting: 50,
      pageSize: 200,
      title: 300,
    });
  });

  it('reads role:token pairs from LEDGER_TOKENS', () => {
    const config = loadConfig({ LEDGER_TOKENS: 'secretariat:abcdefghijklmnop, auditor:qrstuvwxyz0123456' });
    expect(config.tokens).toEqual([
      { role: 'secretariat', token: 'abcdefghijklmnop' },
      { role: 'auditor', token: 'qrstuvwxyz0123456' },
    ]);
  });

  it.each([
    ['a port that is not a number', { PORT: 'eighty' }, 'PORT'],
    ['a port out of range', { PORT: '70000' }, 'PORT'],
    ['an unknown store', { LEDGER_STORE: 'mongodb' }, 'LEDGER_STORE'],
    ['postgres without a DATABASE_URL', { LEDGER_STORE: 'postgres' }, 'DATABASE_URL'],
    ['a DATABASE_URL of another database', { LEDGER_STORE: 'postgres', DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    ['a schema name that is not an identifier', { DATABASE_SCHEMA: 'a"; drop' }, 'DATABASE_SCHEMA'],
    ['eventstoredb without a connection string', { LEDGER_STORE: 'eventstoredb' }, 'EVENTSTORE_CONNECTION_STRING'],
    [
      'an EventStoreDB connection string the client cannot parse',
      { LEDGER_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: 'http://localhost:2113' },
      'EVENTSTORE_CONNECTION_STRING',
    ],
    ['a CORS origin with a path', { LEDGER_CORS_ORIGINS: 'https://secretariat.example/app' }, 'LEDGER_CORS_ORIGINS'],
    ['a CORS wildcard', { LEDGER_CORS_ORIGINS: '*' }, 'LEDGER_CORS_ORIGINS'],
    ['a negative rate limit', { LEDGER_RATE_LIMIT: '-1' }, 'LEDGER_RATE_LIMIT'],
    ['an unknown limit', { LEDGER_LIMITS: 'summaries=10' }, 'LEDGER_LIMITS'],
    ['a limit that is not a positive integer', { LEDGER_LIMITS: 'summary=0' }, 'LEDGER_LIMITS'],
    ['a limit without a value', { LEDGER_LIMITS: 'summary' }, 'LEDGER_LIMITS'],
    ['a limit named after an Object method', { LEDGER_LIMITS: 'toString=5' }, 'LEDGER_LIMITS'],
    ['a limit with two values', { LEDGER_LIMITS: 'title=5=junk' }, 'LEDGER_LIMITS'],
    ['a limit given twice', { LEDGER_LIMITS: 'title=5,title=6' }, 'LEDGER_LIMITS'],
    ['a page size past its ceiling', { LEDGER_LIMITS: 'pageSize=999999999' }, 'LEDGER_LIMITS'],
    [
      'a CORS origin with an impossible port',
      { LEDGER_CORS_ORIGINS: 'https://a.example:99999' },
      'LEDGER_CORS_ORIGINS',
    ],
    ['a CORS origin with a wildcard host', { LEDGER_CORS_ORIGINS: 'https://*.example' }, 'LEDGER_CORS_ORIGINS'],
    ['an unknown role', { LEDGER_TOKENS: 'admin:abcdefghijklmnop' }, 'LEDGER_TOKENS'],
    ['a token too short to be a secret', { LEDGER_TOKENS: 'secretariat:short' }, 'LEDGER_TOKENS'],
    ['an unknown log level', { LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
  ])('refuses %s with a message naming the variable', (_case, env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(variable));
  });
});

describe('configuration edge cases', () => {
  it('treats an empty variable as unset rather than as zero or nothing', () => {
    expect(loadConfig({ PORT: '', LEDGER_DATA_DIR: '' })).toMatchObject({ port: 3000, dataDir: './data' });
  });

  it('refuses one token given to two roles', () => {
    expect(() => loadConfig({ LEDGER_TOKENS: 'reporter:abcdefghijklmnop,secretariat:abcdefghijklmnop' })).toThrow(
      /one token, one role/,
    );
  });

  it('takes a metrics scrape token of 16 to 256 token characters, distinct from every LEDGER_TOKENS token', () => {
    expect(loadConfig({}).metricsToken).toBeUndefined();
    expect(loadConfig({ LEDGER_METRICS_TOKEN: 'scrape-0123456789' }).metricsToken).toBe('scrape-0123456789');
    for (const bad of ['short-token', 'x'.repeat(257), 'has a space in it!!']) {
      expect(() => loadConfig({ LEDGER_METRICS_TOKEN: bad })).toThrow(/LEDGER_METRICS_TOKEN: a token of 16 to 256/);
    }
    const reused = { LEDGER_TOKENS: 'auditor:abcdefghijklmnop', LEDGER_METRICS_TOKEN: 'abcdefghijklmnop' };
    expect(() => loadConfig(reused)).toThrow(/LEDGER_METRICS_TOKEN: must differ from every LEDGER_TOKENS token/);
  });
});

describe('bounds of every number setting', () => {
  const settings = [
    ['PORT', 'a whole number', 'a TCP port, 0 for any free one', '0', '65535', '65536'],
    ['LEDGER_BODY_LIMIT', 'a whole number', 'bytes', '1024', '67108864', '67108865'],
    ['LEDGER_READY_MAX_LAG', 'a whole number', 'events', '0', '10000000', '10000001'],
    ['LEDGER_CHECKPOINT_EVERY_EVENTS', 'a whole number', 'events', '1', '10000000', '10000001'],
    ['LEDGER_CHECKPOINT_EVERY_SECONDS', 'a number', 'seconds', '0.01', '86400', '2147484'],
    ['LEDGER_RATE_LIMIT', 'a whole number', 'requests a minute', '0', '1000000', '1000001'],
    ['LEDGER_MAX_EVENT_LOOP_DELAY_MS', 'a whole number', 'milliseconds', '0', '60000', '60001'],
  ] as const;

  it.each(settings)(
    'refuses %s past its range in one line naming it and the range',
    (variable, kind, unit, min, max, over) => {
      for (const value of [over, '-1', '1e3', 'soon']) {
        expect(() => loadConfig({ [variable]: value })).toThrow(
          new ConfigError(
            `Invalid configuration: ${variable}: must be ${kind} from ${min} to ${max} (${unit}), not "${value}"`,
          ),
        );
      }
      expect(() => loadConfig({ [variable]: min })).not.toThrow();
      expect(() => loadConfig({ [variable]: max })).not.toThrow();
    },
  );

  it('keeps the longest checkpoint interval within what a Node timer can wait', () => {
    // Past 2^31-1 ms Node fires a timer after 1 ms: a checkpoint would be signed after every event.
    expect(loadConfig({ LEDGER_CHECKPOINT_EVERY_SECONDS: '86400' }).audit.checkpointEveryMs).toBeLessThanOrEqual(
      2 ** 31 - 1,
    );
  });
});
