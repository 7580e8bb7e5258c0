import { projections } from '../../src/projections/catalog.js';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { meetingStream } from '../../src/domain/events.js';
import { agendaProjection, queryAgenda, type AgendaState } from '../../src/projections/agenda.js';
import type { Projection } from '../../src/projections/projection.js';
import { ProjectionEngine } from '../../src/projections/projectionEngine.js';
import { ProjectionRunner, type RunnerFailure } from '../../src/projections/projectionRunner.js';
import type { ProjectionStore } from '../../src/projections/projectionStore.js';
import { closed, coalitionWeek, ids } from './coalitionEvents.js';
import { openLedgerFiles, waitUntil } from './ledgerFiles.js';

/** The agenda, except that it chokes on the MNJTF's invitation, after half-applying it. */
const agendaChokingOnMnjtf: Projection<AgendaState> = {
  ...agendaProjection,
  evolve: (state, event) => {
    agendaProjection.evolve(state, event);
    if (event.type === 'ObserverInvited' && event.data.observerId === 'mnjtf') throw new Error('cannot place mnjtf');
    return state;
  },
};

// coalitionWeek in log order: 1-3 members admitted, 4-6 meetings scheduled, 7 African Union invited,
// 8 MNJTF invited, 9-13 attendance and outcomes.
const mnjtfInvitedAt = 8;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const ledger = (clock?: () => Date) => {
  const files = openLedgerFiles(clock && { clock });
  cleanups.push(files.remove);
  return files;
};

const observersOf = (state: AgendaState) =>
  queryAgenda(state, { forum: 'small-group' })[0]?.observers.map((o) => o.observerId);

describe('a projection that throws on an event', () => {
  const failingRunner = async (snapshots: ProjectionStore, files: ReturnType<typeof ledger>) => {
    const failures: [string, RunnerFailure, unknown][] = [];
    const runner = new ProjectionRunner(agendaChokingOnMnjtf, files.events, snapshots, {
      saveEveryEvents: 2,
      saveEveryMs: 60_000,
      onFailure: (...report) => failures.push(report),
    });
    cleanups.push(() => runner.stop());
    await runner.start();
    await waitUntil(() => runner.status === 'failed', 'the runner to fail');
    return { runner, failures };
  };

  it('stops with status failed and reports the position, event type and message', async () => {
    const files = ledger();
    await files.append(coalitionWeek);
    const { runner, failures } = await failingRunner(files.openSnapshots(), files);
    const failure = { position: mnjtfInvitedAt, eventType: 'ObserverInvited', message: 'Error: cannot place mnjtf' };
    expect(runner.error).toEqual(failure);
    expect(failures).toEqual([['agenda', failure, new Error('cannot place mnjtf')]]);
  });

  it('answers from its last saved state, not from the state the throwing evolve half-changed', async () => {
    const files = ledger();
    await files.append(coalitionWeek);
    const snapshots = files.openSnapshots();
    const { runner } = await failingRunner(snapshots, files);
    // Saved every 2 events: the last pair saved is position 6, before both invitations.
    expect(runner.current().position).toBe(6);
    expect(runner.current().version).toBe(agendaProjection.version);
    expect(observersOf(runner.current().state)).toEqual([]);
    expect(await snapshots.load('agenda')).toMatchObject({ position: 6 });
  });

  it('does not advance past the event, even as more are appended', async () => {
    const files = ledger();
    await files.append(coalitionWeek);
    const snapshots = files.openSnapshots();
    const { runner } = await failingRunner(snapshots, files);
    const head = await files.append([closed(ids.plenary)]);
    expect(await runner.waitFor(mnjtfInvitedAt, 100)).toBe(false);
    expect(await runner.waitFor(head, 100)).toBe(false);
    expect(runner.current().position).toBe(6);

    await runner.stop();
    expect(runner.status).toBe('failed');
    expect(await snapshots.load('agenda')).toMatchObject({ position: 6 });
  });

  it('fails again on the same event after a restart instead of skipping it, and a fixed projection applies it', async () => {
    const files = ledger();
    const head = await files.append(coalitionWeek);
    const first = await failingRunner(files.openSnapshots(), files);
    await first.runner.stop();

    const again = await failingRunner(files.openSnapshots(), files);
    expect(again.runner.error?.position).toBe(mnjtfInvitedAt);

    const fixed = new ProjectionRunner(agendaProjection, files.events, files.openSnapshots());
    cleanups.push(() => fixed.stop());
    await fixed.start();
    expect(await fixed.waitFor(head, 5_000)).toBe(true);
    expect(observersOf(fixed.current().state)).toEqual(['african-union', 'mnjtf']);
  });
});

describe('ProjectionEngine.report', () => {
  const recordedAt = new Date('2017-07-13T13:00:00.000Z');
  const thirtySecondsLater = new Date('2017-07-13T13:00:30.000Z');

  const engineOn = (files: ReturnType<typeof ledger>) => {
    const engine = new ProjectionEngine(files.events, files.openSnapshots(), { saveEveryEvents: 1 });
    cleanups.push(() => engine.stop());
    const runners = Object.values(engine.runners) as ProjectionRunner<unknown>[];
    return { engine, runners };
  };

  it('gives every projection its version, position, lag and status, before and after catching up', async () => {
    const files = ledger(() => recordedAt);
    const head = await files.append(coalitionWeek);
    const { engine, runners } = engineOn(files);
    const report = (position: number, lagSeconds: number, status: string) =>
      (['agenda', 'attendance', 'timeline'] as const).map((name) => ({
        name,
        version: projections[name].version,
        answeringVersion: projections[name].version,
        position,
        lagEvents: head - position,
        lagSeconds,
        status,
      }));

    expect(await engine.report(thirtySecondsLater)).toEqual(report(0, 30, 'catching-up'));
    await engine.start();
    for (const runner of runners) expect(await runner.waitFor(head, 5_000)).toBe(true);
    await waitUntil(() => runners.every((r) => r.status === 'live'), 'every projection to go live');
    expect(await engine.report(thirtySecondsLater)).toEqual(report(head, 0, 'live'));
  });

  it('reports the projections that failed on a stored event of an unknown shape, with where and why', async () => {
    const files = ledger(() => recordedAt);
    await files.append(coalitionWeek);
    const malformed = await files.events.appendToStream(meetingStream(ids.ministerial), [
      { eventId: randomUUID(), type: 'MeetingScheduled', data: { meetingId: ids.ministerial }, metadata: {} },
    ]);
    const head = await files.append([closed(ids.plenary)]);
    const { engine, runners } = engineOn(files);
    await engine.start();
    await waitUntil(() => runners.every((r) => r.status === 'failed'), 'every projection to fail');

    const stoppedAt = malformed.position - 1;
    expect(await engine.report(thirtySecondsLater)).toEqual(
      (['agenda', 'attendance', 'timeline'] as const).map((name) => ({
        name,
        version: projections[name].version,
        answeringVersion: projections[name].version,
        position: stoppedAt,
        lagEvents: head - stoppedAt,
        lagSeconds: 30,
        status: 'failed',
        error: { position: malformed.position, eventType: 'MeetingScheduled', message: expect.any(String) },
      })),
    );
  });
});
