import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

describe('configuration from the environment', () => {
  it('defaults to an embedded SQLite ledger on 127.0.0.1:3000 under ./data', () => {
    expect(loadConfig({})).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      dataDir: './data',
      store: 'sqlite',
      sqliteSynchronous: 'FULL',
      tokens: [],
      bodyLimit: 1024 * 1024,
      logLevel: 'info',
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
});
