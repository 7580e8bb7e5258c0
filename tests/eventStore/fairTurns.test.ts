import { describe, expect, it } from 'vitest';
import { yieldToEventLoop } from '../../src/eventStore/fairTurns.js';
import { countTurns } from '../eventLoopTurns.js';

describe('turns of the event loop for paged work', () => {
  it('resumes one waiter per turn, however many wait', async () => {
    const turns = countTurns();
    const resumedAt: number[] = [];
    const job = async () => {
      for (let page = 0; page < 3; page++) {
        await yieldToEventLoop();
        resumedAt.push(turns.now());
      }
    };
    await Promise.all(Array.from({ length: 10 }, job));
    turns.stop();
    expect(resumedAt).toHaveLength(30);
    expect(new Set(resumedAt).size).toBe(30);
  });

  it('resumes waiters in the order they asked', async () => {
    const order: number[] = [];
    await Promise.all([0, 1, 2, 3, 4].map((n) => yieldToEventLoop().then(() => order.push(n))));
    expect(order).toEqual([0, 1, 2, 3, 4]);
  });

  it('keeps handing out turns to work that asks again while others wait', async () => {
    let done = 0;
    const job = async (pages: number) => {
      for (let page = 0; page < pages; page++) await yieldToEventLoop();
      done += 1;
    };
    await Promise.all([job(2_000), job(1), job(500)]);
    expect(done).toBe(3);
  });
});
