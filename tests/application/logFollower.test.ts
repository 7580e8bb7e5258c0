import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LogFollower, type LogConsumer } from '../../src/application/logFollower.js';
import type { ReadAllOptions, StoredEvent } from '../../src/eventStore/eventStore.js';
import { SqliteEventStore } from '../../src/eventStore/sqliteEventStore.js';
import { waitUntil } from '../projections/ledgerFiles.js';

/** A consumer that keeps the positions it applied, committed at the end of each page. */
class Recorder implements LogConsumer {
  readonly applied: number[] = [];
  backpressure?: () => Promise<void> | undefined;
  failNext = false;
  /** Fails once on the page that starts at this position. */
  failOnceAt: number | undefined;
  failedOnce = false;
  stopAt: number | undefined;
  constructor(
    readonly name: string,
    private at = 0,
  ) {}
  position = () => this.at;
  active = () => this.stopAt === undefined || this.at < this.stopAt;
  apply(page: readonly StoredEvent[]): void {
    if (this.failNext || (page[0]?.position === this.failOnceAt && !this.failedOnce)) {
      this.failNext = false;
      this.failedOnce = true;
      throw new Error('the disk is full');
    }
    for (const event of page) {
      if (event.position <= this.at) continue;
      this.applied.push(event.position);
      this.at = event.position;
    }
  }
}

let dir: string;
let store: SqliteEventStore;
const followers: LogFollower[] = [];

const append = async (count: number) => {
  for (let i = 0; i < count; i++) {
    await store.appendToStream(`meeting-${i % 3}`, [
      { eventId: randomUUID(), type: 'MeetingClosed', data: {}, metadata: {} },
    ]);
  }
  return store.headPosition();
};

const follow = (consumers: LogConsumer[], pageSize = 4) => {
  const follower = new LogFollower(store, consumers, { pageSize, retryMs: 10 });
  followers.push(follower);
  follower.start();
  return follower;
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ledger-follower-'));
  store = new SqliteEventStore(join(dir, 'ledger.sqlite'), { synchronous: 'NORMAL' });
});
afterEach(async () => {
  for (const follower of followers.splice(0)) await follower.stop();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Keeps the only thread busy, as a loaded machine would: no timer runs meanwhile. */
const busyFor = (ms: number) => {
  const end = Date.now() + ms;
  while (Date.now() < end);
};

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('one read of the log for every consumer', () => {
  it('reads once from the consumer furthest behind; each applies only what it lacks, then live events', async () => {
    // Given a log of 10 events, a consumer at 6 and one rebuilding from zero
    await append(10);
    const ahead = new Recorder('ahead', 6);
    const fresh = new Recorder('fresh', 0);
    const reads: ReadAllOptions[] = [];
    const read = store.readAllStored.bind(store);
    store.readAllStored = (options) => {
      reads.push(options ?? {});
      return read(options);
    };
    // When the follower runs and more events are appended
    const follower = follow([ahead, fresh]);
    await follower.caughtUp;
    const head = await append(3);
    await waitUntil(() => ahead.position() === head && fresh.position() === head, 'both consumers at the head');
    // Then each has every event once, in order, and the log was read from 0 once
    expect(fresh.applied).toEqual(range(1, 13));
    expect(ahead.applied).toEqual(range(7, 13));
    expect(reads[0]?.after).toBe(0);
    expect(reads.filter((r) => r.after === 0)).toHaveLength(1);
  });

  it('feeds a consumer that failed to commit the same events again, after a pause, losing and repeating nothing', async () => {
    await append(9);
    const flaky = new Recorder('flaky');
    const steady = new Recorder('steady');
    flaky.failNext = true;
    const errors: string[] = [];
    const follower = new LogFollower(store, [flaky, steady], {
      pageSize: 4,
      retryMs: 10,
      onError: (name) => errors.push(name),
    });
    followers.push(follower);
    follower.start();
    await waitUntil(() => flaky.position() === 9 && steady.position() === 9, 'both consumers at the head');
    expect(errors).toEqual(['flaky']);
    expect(flaky.applied).toEqual(range(1, 9));
    expect(steady.applied).toEqual(range(1, 9));
  });

  it('never feeds a consumer that failed the page after the one it lost, however long that page took to read', async () => {
    // Given a consumer that fails on the second page, and a read of the third page that takes longer
    // than the pause a failed consumer sits out (a loaded machine: no timer runs meanwhile)
    await append(9);
    const flaky = new Recorder('flaky', 0);
    const read = store.readAllStored.bind(store);
    store.readAllStored = (options) => {
      if (options?.after === 8) busyFor(30);
      return read(options);
    };
    flaky.failOnceAt = 5;
    // When the follower feeds it (retrying after 10 ms)
    follow([flaky]);
    await waitUntil(() => flaky.position() === 9, 'the consumer at the head');
    // Then it was fed the lost page again before the next one: nothing skipped
    expect(flaky.applied).toEqual(range(1, 9));
  });

  it('feeds again each consumer that failed, also one that failed while another was already waiting', async () => {
    // Given two consumers that fail once each, the second one a little later than the first
    await append(9);
    const first = new Recorder('first');
    const second = new Recorder('second');
    first.failNext = true;
    const slowRead = store.readAllStored.bind(store);
    store.readAllStored = (options) => {
      if (options?.after === 4 && !second.failedOnce) {
        second.failedOnce = true;
        second.failNext = true;
        busyFor(5);
      }
      return slowRead(options);
    };
    // When the follower feeds them, pausing 20 ms after a failure
    const follower = new LogFollower(store, [first, second], { pageSize: 4, retryMs: 20 });
    followers.push(follower);
    follower.start();
    // Then both are fed again and reach the head, each with every event once
    await waitUntil(() => first.position() === 9 && second.position() === 9, 'both consumers at the head');
    expect(first.applied).toEqual(range(1, 9));
    expect(second.applied).toEqual(range(1, 9));
  });

  it('never feeds a consumer in the middle of a read that began while it still sat out', async () => {
    // Given two consumers that fail once each, the second 15 ms after the first, both pausing 20 ms;
    // the read that retries the first starts while the second still pauses, passes the page the
    // second lost, and then reads a page slowly enough for the second's pause to end meanwhile
    await append(12);
    const first = new Recorder('first');
    const second = new Recorder('second');
    first.failNext = true;
    second.failOnceAt = 3;
    const readsAfter = new Map<number, number>();
    const read = store.readAllStored.bind(store);
    store.readAllStored = (options) => {
      const after = options?.after ?? 0;
      const times = (readsAfter.get(after) ?? 0) + 1;
      readsAfter.set(after, times);
      if (after === 2 && times === 1) busyFor(15); // the second fails 15 ms after the first
      if (after === 4 && times === 2) busyFor(25); // the retry's third page comes after the second's pause
      return read(options);
    };
    // When the follower feeds them
    const follower = new LogFollower(store, [first, second], { pageSize: 2, retryMs: 20 });
    followers.push(follower);
    follower.start();
    // Then each applies every event once, in order: the second was not fed pages past the one it lost
    await waitUntil(() => first.position() === 12 && second.position() === 12, 'both consumers at the head');
    expect(first.applied).toEqual(range(1, 12));
    expect(second.applied).toEqual(range(1, 12));
  });

  it('ends a catch-up-only run at the first consumer that cannot commit, saying which and why', async () => {
    // Given a log of 9 events and a consumer whose disk is full from the second page on
    await append(9);
    const full = new Recorder('projections');
    const read = store.readAllStored.bind(store);
    let reads = 0;
    store.readAllStored = (options) => {
      reads += 1;
      return read(options);
    };
    full.apply = ((apply) => (page: readonly StoredEvent[]) => {
      if ((page[0]?.position ?? 0) > 4) throw new Error('SQLITE_FULL: database or disk is full');
      apply(page);
    })(full.apply.bind(full));
    // When a catch-up-only follower feeds it
    const follower = new LogFollower(store, [full], { pageSize: 4, retryMs: 10, stopOnFailure: true });
    followers.push(follower);
    follower.start();
    // Then the catch-up fails naming the consumer and the error, and nothing more is read or applied
    await expect(follower.caughtUp).rejects.toThrow(
      'projections could not apply the log: SQLITE_FULL: database or disk is full',
    );
    await follower.stop();
    const readsWhenStopped = reads;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(reads).toBe(readsWhenStopped);
    expect(full.applied).toEqual(range(1, 4));
  });

  it('stops feeding a consumer that stopped for good, and the others go on', async () => {
    await append(5);
    const stopping = new Recorder('stopping');
    stopping.stopAt = 2;
    const going = new Recorder('going');
    const follower = follow([stopping, going], 1);
    await follower.caughtUp;
    const head = await append(2);
    await waitUntil(() => going.position() === head, 'the active consumer at the head');
    expect(stopping.applied).toEqual([1, 2]);
    expect(going.applied).toEqual(range(1, 7));
  });

  it('lets the others commit while one consumer keeps failing, and never holds their pages uncommitted', async () => {
    await append(9);
    const failing = new Recorder('failing');
    failing.failNext = true;
    const alwaysFailing: LogConsumer = {
      name: 'always-failing',
      position: () => 0,
      active: () => true,
      apply: () => {
        throw new Error('the audit file is read-only');
      },
    };
    // Applies at once but commits only when told the follower is idle.
    let applied = 0;
    let committed = 0;
    const deferred: LogConsumer = {
      name: 'deferred',
      position: () => committed,
      active: () => true,
      apply: (page) => void (applied = Math.max(applied, page.at(-1)?.position ?? 0)),
      idle: () => void (committed = applied),
    };
    follow([alwaysFailing, deferred, failing]);
    await waitUntil(() => committed === 9 && failing.position() === 9, 'the healthy consumers to commit the head');
  });

  it('reads no further while a consumer asks it to wait, and goes on once it may', async () => {
    // Given a consumer whose write-ahead log must be copied back after its first page
    await append(12);
    let release: () => void = () => undefined;
    let asked = 0;
    const consumer = new Recorder('projections');
    consumer.backpressure = () => {
      asked += 1;
      return asked === 1 ? new Promise<void>((resolve) => (release = resolve)) : undefined;
    };
    // When the follower feeds it pages of four
    const follower = follow([consumer]);
    await waitUntil(() => asked === 1, 'the first page applied');
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Then it holds at the first page until the wait is over, then reads on to the head
    expect(consumer.applied).toEqual([1, 2, 3, 4]);
    release();
    await follower.caughtUp;
    expect(consumer.applied).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  });

  it('does not spin when the store it reads is closed under it', async () => {
    await append(3);
    const consumer = new Recorder('reader');
    const follower = follow([consumer]);
    await follower.caughtUp;
    let reads = 0;
    const read = store.readAllStored.bind(store);
    store.readAllStored = (options) => {
      reads += 1;
      return read(options);
    };
    await store.close();
    // A timer still fires: the event loop is free; and reads come a pause apart, not in a tight loop.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(reads).toBeLessThan(5);
    store = new SqliteEventStore(join(dir, 'ledger.sqlite'), { synchronous: 'NORMAL' });
  });
});
