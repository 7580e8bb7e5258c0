import { decodeTime, ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { eventIdFor } from '../../src/application/eventIds.js';
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

describe('event ids', () => {
  it('are the same for the same command and index, and differ for another index or command', () => {
    const commandId = newId();
    expect(eventIdFor(commandId, 0)).toBe(eventIdFor(commandId, 0));
    expect(eventIdFor(commandId, 1)).not.toBe(eventIdFor(commandId, 0));
    expect(eventIdFor(newId(), 0)).not.toBe(eventIdFor(commandId, 0));
  });

  it('are version 8 UUIDs that begin with the command’s ULID time, so they sort by time', () => {
    const commandId = ulid(Date.UTC(2017, 6, 12, 9));
    const id = eventIdFor(commandId, 0);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16)).toBe(Date.UTC(2017, 6, 12, 9));
    const later = Array.from({ length: 50 }, (_, i) => eventIdFor(ulid(Date.UTC(2017, 6, 12, 9) + i), 0));
    expect([...later].sort()).toEqual(later);
  });

  it('are still derived from a command id that is not a ULID, from its hash alone', () => {
    expect(eventIdFor('not-a-ulid', 0)).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(eventIdFor('not-a-ulid', 0)).toBe(eventIdFor('not-a-ulid', 0));
  });
});
