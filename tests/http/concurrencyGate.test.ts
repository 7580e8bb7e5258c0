import { describe, expect, it } from 'vitest';
import { ConcurrencyGate } from '../../src/http/concurrencyGate.js';
import { HttpProblem } from '../../src/http/problem.js';

const refusal = (enter: () => unknown): HttpProblem => {
  try {
    enter();
  } catch (error) {
    if (error instanceof HttpProblem) return error;
    throw error;
  }
  throw new Error('expected a refusal');
};

describe('a concurrency gate', () => {
  it('gives a caller its share, then refuses it with 429 while others still get in', () => {
    const gate = new ConcurrencyGate('exports', { perCaller: 2, total: 5 });
    gate.enter('reporter#1');
    gate.enter('reporter#1');
    expect(refusal(() => gate.enter('reporter#1'))).toMatchObject({ status: 429, retryAfterSeconds: 5 });
    expect(() => gate.enter('auditor#2')).not.toThrow();
    expect(gate.size).toBe(3);
  });

  it('refuses everyone with 503 once the ledger holds its total, and takes them again as places free', () => {
    const gate = new ConcurrencyGate('live streams', { perCaller: 2, total: 2 }, 1);
    const first = gate.enter('a');
    gate.enter('b');
    expect(refusal(() => gate.enter('c'))).toMatchObject({ status: 503, code: 'overloaded', retryAfterSeconds: 1 });
    first();
    first(); // giving a place back twice frees it once
    expect(gate.size).toBe(1);
    gate.enter('c');
    expect(refusal(() => gate.enter('d')).status).toBe(503);
  });
});
