import { afterEach, describe, expect, it } from 'vitest';
import { eventCatalog, type LedgerEventType } from '../../src/domain/events.js';
import { agendaProjection, queryAgenda } from '../../src/projections/agenda.js';
import type { Projection } from '../../src/projections/projection.js';
import { ProjectionRunner, type RunnerOptions } from '../../src/projections/projectionRunner.js';
import type { ProjectionStore } from '../../src/projections/projectionStore.js';
import { replay } from '../../src/projections/replay.js';
import {
  africanUnion,
  coalitionWeek,
  ids,
  invited,
  itemAdded,
  mnjtf,
  plenaryScheduled,
  rescheduled,
} from './coalitionEvents.js';
import { openLedgerFiles, waitUntil } from './ledgerFiles.js';

/** Remembers every position it was fed: the witness that no event is applied twice or skipped. */
const positionsSeen: Projection<{ positions: number[] }> = {
  name: 'positions-seen',
  version: 1,
  eventTypes: Object.keys(eventCatalog) as LedgerEventType[],
  initialState: () => ({ positions: [] }),
  evolve: (state, event) => {
    state.positions.push(event.position);
    return state;
  },
};

const upTo = (head: number) => Array.from({ length: head }, (_, index) => index + 1);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const ledger = () => {
  const files = openLedgerFiles();
  cleanups.push(files.remove);
  const run = <S>(projection: Projection<S>, snapshots: ProjectionStore, options: RunnerOptions = {}) => {
    const runner = new ProjectionRunner(projection, files.events, snapshots, options);
    cleanups.push(() => runner.stop());
    return runner;
  };
  return { ...files, run };
};

describe('ProjectionRunner on SQLite', () => {
  it('catches up on the events already in the log, then applies new ones as they are appended', async () => {
    const { append, openSnapshots, run } = ledger();
    const head = await append(coalitionWeek);
    const runner = run(agendaProjection, openSnapshots());
    expect(runner.status).toBe('catching-up');
    await runner.start();

    expect(await runner.waitFor(head, 5_000)).toBe(true);
    await waitUntil(() => runner.status === 'live', 'the runner to go live');
    expect(queryAgenda(runner.current().state, {}).map((m) => m.meetingId)).toEqual([
      ids.counterFinance,
      ids.plenary,
      ids.smallGroup,
    ]);

    const next = await append([rescheduled(plenaryScheduled, '2017-07-14T13:00:00.000Z', null)]);
    expect(await runner.waitFor(next, 5_000)).toBe(true);
    expect(runner.current()).toMatchObject({ position: next, version: agendaProjection.version });
    expect(queryAgenda(runner.current().state, { forum: 'plenary' })).toEqual([
      expect.objectContaining({ status: 'rescheduled', startsAt: '2017-07-14T13:00:00.000Z' }),
    ]);
    expect(runner.status).toBe('live');
  });

  it('saves state and checkpoint together on stop, and a restarted runner resumes after them', async () => {
    const { append, openSnapshots, run, events } = ledger();
    const firstHead = await append(coalitionWeek);
    const snapshots = openSnapshots();
    const first = [run(positionsSeen, snapshots), run(agendaProjection, snapshots)] as const;
    for (const runner of first) await runner.start();
    for (const runner of first) expect(await runner.waitFor(firstHead, 5_000)).toBe(true);
    for (const runner of first) await runner.stop();
    expect(first[0].status).toBe('stopped');
    expect(await snapshots.load('positions-seen')).toEqual({
      name: 'positions-seen',
      version: 1,
      position: firstHead,
      stateJson: JSON.stringify({ positions: upTo(firstHead) }),
    });

    // Appended while no runner was running: each must be applied exactly once after the restart.
    const head = await append([
      itemAdded(ids.plenary, 'stabilization', 'Voluntary return home of the displaced'),
      invited(ids.plenary, africanUnion),
      invited(ids.plenary, mnjtf),
    ]);
    const reopened = openSnapshots();
    const counted = run(positionsSeen, reopened);
    const agenda = run(agendaProjection, reopened);
    await counted.start();
    await agenda.start();
    expect(await counted.waitFor(head, 5_000)).toBe(true);
    expect(await agenda.waitFor(head, 5_000)).toBe(true);

    expect(counted.current().state.positions).toEqual(upTo(head));
    const [plenary] = queryAgenda(agenda.current().state, { forum: 'plenary' });
    expect(plenary?.agenda.map((item) => item.itemId)).toEqual(['remaining-areas', 'global-pressure', 'stabilization']);
    expect(plenary?.observers.map((o) => o.observerId)).toEqual(['african-union', 'mnjtf']);
    expect(agenda.current().state).toEqual((await replay(events, agendaProjection)).state);
  });

  it('answers from its saved state and position straight after a restart', async () => {
    const { append, openSnapshots, run } = ledger();
    const head = await append(coalitionWeek);
    const first = run(agendaProjection, openSnapshots());
    await first.start();
    await first.waitFor(head, 5_000);
    await first.stop();
    const savedState = JSON.parse(JSON.stringify(first.current().state)) as unknown;

    const second = run(agendaProjection, openSnapshots());
    await second.start();
    expect(second.current()).toEqual({ state: savedState, position: head, version: agendaProjection.version });
    await waitUntil(() => second.status === 'live', 'the restarted runner to go live');
    expect(second.current()).toEqual({ state: savedState, position: head, version: agendaProjection.version });
  });

  it('resumes after a crash from the last checkpoint it saved, applying the events after it once', async () => {
    const { append, openSnapshots, run } = ledger();
    const snapshots = openSnapshots();
    let crashed = false;
    const untilCrash: ProjectionStore = {
      load: (name) => snapshots.load(name),
      save: async (snapshot) => (crashed ? undefined : snapshots.save(snapshot)),
      close: async () => undefined,
    };
    const head = await append(coalitionWeek.slice(0, 7));
    const first = run(positionsSeen, untilCrash, { saveEveryEvents: 3, saveEveryMs: 60_000 });
    await first.start();
    expect(await first.waitFor(head, 5_000)).toBe(true);
    expect(await snapshots.load('positions-seen')).toMatchObject({
      position: 6,
      stateJson: '{"positions":[1,2,3,4,5,6]}',
    });

    crashed = true; // whatever the runner saves from now on is lost, as if the process died
    await first.stop();
    const restarted = run(positionsSeen, openSnapshots());
    await restarted.start();
    const newHead = await append(coalitionWeek.slice(7));
    expect(await restarted.waitFor(newHead, 5_000)).toBe(true);
    expect(restarted.current().state.positions).toEqual(upTo(newHead));
  });

  describe('waitFor', () => {
    it('resolves true at once for a position already applied', async () => {
      const { append, openSnapshots, run } = ledger();
      const head = await append(coalitionWeek);
      const runner = run(agendaProjection, openSnapshots());
      await runner.start();
      await runner.waitFor(head, 5_000);
      expect(await runner.waitFor(1, 0)).toBe(true);
      expect(await runner.waitFor(head, 0)).toBe(true);
    });

    it('resolves true once the runner applies a position appended after the wait began', async () => {
      const { append, openSnapshots, run } = ledger();
      const runner = run(agendaProjection, openSnapshots());
      await runner.start();
      const waiting = runner.waitFor(3, 5_000);
      await append(coalitionWeek.slice(0, 4));
      expect(await waiting).toBe(true);
      expect(runner.current().position).toBeGreaterThanOrEqual(3);
    });

    it('resolves false when the position is not reached in time', async () => {
      const { append, openSnapshots, run } = ledger();
      const head = await append(coalitionWeek);
      const runner = run(agendaProjection, openSnapshots());
      await runner.start();
      await runner.waitFor(head, 5_000);
      expect(await runner.waitFor(head + 1, 50)).toBe(false);
      expect(runner.current().position).toBe(head);
    });

    it('answers false to a reader still waiting when the runner stops', async () => {
      const { append, openSnapshots, run } = ledger();
      const head = await append(coalitionWeek);
      const runner = run(agendaProjection, openSnapshots());
      await runner.start();
      let answer: boolean | undefined;
      void runner.waitFor(head + 5, 60_000).then((reached) => (answer = reached));
      await runner.stop();
      await waitUntil(() => answer !== undefined, 'the waiting reader to be answered', 1_000);
      expect(answer).toBe(false);
    });
  });
});
