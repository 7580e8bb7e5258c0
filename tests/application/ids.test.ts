import { decodeTime } from 'ulid';
import { describe, expect, it } from 'vitest';
import { newId } from '../../src/application/ids.js';

describe('new ids', () => {
  it('are ULIDs stamped with the current time', () => {
    const before = Date.now();
    const id = newId();
    expect(id).toMatch(/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
    expect(decodeTime(id)).toBeGreaterThanOrEqual(before);
    expect(decodeTime(id)).toBeLessThanOrEqual(Date.now());
  });

  it('never repeat over many draws across pool refills', () => {
    const ids = Array.from({ length: 20_000 }, newId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('use every random character roughly evenly', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 5_000; i += 1) for (const c of newId().slice(10)) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(32);
    const expected = (5_000 * 16) / 32;
    for (const n of counts.values()) expect(Math.abs(n - expected) / expected).toBeLessThan(0.15);
  });
});
