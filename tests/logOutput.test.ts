import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { lifecycleLogger, listeningAddressOf } from '../src/logOutput.js';

const loggerAt = (level: string) => {
  const lines: { level: number; msg: string }[] = [];
  const logger = pino({ level }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
};

describe('the lines that say where the server stands', () => {
  it('are written at info under LOG_LEVEL=warn or fatal, where other info lines are not', () => {
    for (const level of ['warn', 'fatal']) {
      const { logger, lines } = loggerAt(level);
      logger.info('a request');
      lifecycleLogger(logger).info('listening');
      expect(lines.map((line) => [line.level, line.msg])).toEqual([[30, 'listening']]);
    }
  });

  it('keep a more verbose level, and stay silent under LOG_LEVEL=silent', () => {
    const verbose = loggerAt('debug');
    lifecycleLogger(verbose.logger).debug('detail');
    expect(verbose.lines).toHaveLength(1);
    const silent = loggerAt('silent');
    lifecycleLogger(silent.logger).info('listening');
    expect(silent.lines).toEqual([]);
  });

  it('give the listening address to tools that read the JSON log', () => {
    const line = JSON.stringify({ level: 30, msg: 'listening', address: 'http://127.0.0.1:4250' });
    expect(listeningAddressOf(line)).toBe('http://127.0.0.1:4250');
    expect(listeningAddressOf(JSON.stringify({ msg: 'request completed', address: 'x' }))).toBeUndefined();
    expect(listeningAddressOf('{"msg":"listening", broken')).toBeUndefined();
    expect(listeningAddressOf('meeting-ledger listening on http://127.0.0.1:3000')).toBeUndefined();
  });
});
