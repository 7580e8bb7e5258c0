import { describe, expect, it } from 'vitest';
import { RecentlyUsed } from '../../src/application/recentlyUsed.js';

describe('a bounded map of what was used recently', () => {
  it('keeps what was used within the last half of its capacity, and never more than its capacity', () => {
    const recent = new RecentlyUsed<number>(10);
    for (let i = 0; i < 100; i++) recent.set(`k${i}`, i);
    const kept = Array.from({ length: 100 }, (_, i) => recent.get(`k${i}`)).filter((v) => v !== undefined);
    expect(kept.length).toBeLessThanOrEqual(10);
    for (let i = 95; i < 100; i++) expect(recent.get(`k${i}`)).toBe(i);
  });

  it('keeps an entry that keeps being used, however many others pass through', () => {
    const recent = new RecentlyUsed<string>(4);
    recent.set('mosul', 'verge-of-liberation');
    for (let i = 0; i < 1_000; i++) {
      recent.set(`other-${i}`, 'x');
      expect(recent.get('mosul')).toBe('verge-of-liberation');
    }
  });

  it('forgets what is deleted or cleared', () => {
    const recent = new RecentlyUsed<number>(4);
    recent.set('a', 1);
    recent.set('b', 2);
    recent.set('c', 3); // 'a' and 'b' are now the old generation
    recent.delete('a');
    expect(recent.get('a')).toBeUndefined();
    expect(recent.get('b')).toBe(2);
    recent.clear();
    expect(recent.get('b')).toBeUndefined();
    expect(recent.get('c')).toBeUndefined();
  });
});
