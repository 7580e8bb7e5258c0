import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { eventCatalog, meetingStream, type LedgerEventType } from '../../src/domain/events.js';
import { agendaProjection } from '../../src/projections/agenda/agendaProjection.js';
import { projections } from '../../src/projections/catalog.js';
import type { Projection } from '../../src/projections/projection.js';
import type { ProjectionEngine, RunnerFailure } from '../../src/projections/projectionEngine.js';
import type { ProjectionDatabase } from '../../src/projections/store/projectionDatabase.js';
import { wholeAgenda } from '../../src/projections/wholeViews.js';
import {
  africanUnion,
  closed,
  coalitionWeek,
  ids,
  invited,
  itemAdded,
  mnjtf,
  plenaryScheduled,
  rescheduled,
} from './coalitionEvents.js';
import { openLedgerFiles, waitUntil } from './ledgerFiles.js';

/** Keeps every position it was fed, each once (a primary key): the witness that nothing is applied twice or skipped. */
const positionsSeen: Projection = {
  name: 'positions-seen',
  version: 1,
  eventTypes: Object.keys(eventCatalog) as LedgerEventType[],
  tables: ['positions_seen'],
  schema: 'CREATE TABLE positions_seen (position INTEGER PRIMARY KEY)',
  writer: (db) => {
    const insert = db.prepare('INSERT INTO positions_seen (position) VALUES (?)');
    return { apply: (event) => void insert.run(event.position), forget: () => undefined };
  },
};

const seen = (database: ProjectionDatabase) =>
  database.db
    .prepare<[], { position: number }>('SELECT position FROM positions_seen ORDER BY position')
    .all()
    .map((row) => row.position);

const upTo = (head: number) => Array.from({ length: head }, (_, index) => index + 1);

/** The agenda, except that it chokes on the MNJTF's invitation, after half-applying it. */
const agendaChokingOnMnjtf: Projection = {
  ...agendaProjection,
  writer: (db) => {
    const agenda = agendaProjection.writer(db);
    return {
      apply: (event) => {
        agenda.apply(event);
        if (event.type === 'ObserverInvited' && event.data.observerId === 'mnjtf')
          throw new Error('cannot place mnjtf');
      },
      forget: () => agenda.forget(),
    };
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

const agendaIds = (engine: ProjectionEngine, query = {}) =>
  [...wholeAgenda(engine.database.db, query, engine.state('agenda').position, 10)].map((m) => m.meetingId);

describe('the projection engine, fed by the log follower', () => {
  it('catches up on the events already in the log, goes live, then applies new ones as they are appended', async () => {
    const { append, openProjections, follow } = ledger();
    const head = await append(coalitionWeek);
    const engine = openProjections();
    expect(engine.state('agenda')).toMatchObject({ status: 'rebuilding', position: 0 });
    await follow(engine).caughtUp;
    expect(engine.state('agenda')).toMatchObject({ status: 'live', position: head });
    expect(agendaIds(engine)).toEqual([ids.counterFinance, ids.plenary, ids.smallGroup]);

    const next = await append([rescheduled(plenaryScheduled, '2017-07-14T13:00:00.000Z', null)]);
    expect(await engine.waitFor('agenda', next, 5_000)).toBe(true);
    expect(agendaIds(engine)).toEqual([ids.counterFinance, ids.smallGroup, ids.plenary]);
  });

  it('commits rows and checkpoint together: a restart resumes after the checkpoint, applying each event once', async () => {
    const { append, openProjections, follow, stopAll } = ledger();
    const firstHead = await append(coalitionWeek);
    const first = openProjections('p.db', [positionsSeen, agendaProjection]);
    await follow(first).caughtUp;
    expect(first.database.checkpoint('positions-seen')).toEqual({ version: 1, position: firstHead });
    await stopAll();

    // Appended while nothing ran: each must be applied exactly once after the restart.
    const head = await append([
      itemAdded(ids.plenary, 'stabilization', 'Voluntary return home of the displaced'),
      invited(ids.plenary, africanUnion),
      invited(ids.plenary, mnjtf),
    ]);
    const restarted = openProjections('p.db', [positionsSeen, agendaProjection]);
    expect(restarted.state('agenda')).toMatchObject({ status: 'catching-up', position: firstHead });
    follow(restarted);
    expect(await restarted.waitFor('positions-seen', head, 5_000)).toBe(true);
    expect(await restarted.waitFor('agenda', head, 5_000)).toBe(true);
    expect(seen(restarted.database)).toEqual(upTo(head));
    const [plenary] = wholeAgenda(restarted.database.db, { forum: 'plenary' }, head, 10);
    expect(plenary?.agenda.map((item) => item.itemId)).toEqual(['remaining-areas', 'global-pressure', 'stabilization']);
    expect(plenary?.observers.map((o) => o.observerId)).toEqual(['african-union', 'mnjtf']);
  });

  it('takes up where another writer of its database left it (a catch-up worker), waking who waits, applying each event once', async () => {
    const { append, openProjections, follow } = ledger();
    const firstHead = await append(coalitionWeek);
    // The server's engine, not fed; a second one on the same file (the worker's) applies the log.
    const server = openProjections('p.db', [positionsSeen, agendaProjection]);
    const waited = server.waitFor('agenda', firstHead, 5_000);
    const worker = openProjections('p.db', [positionsSeen, agendaProjection]);
    const workerFollower = follow(worker);
    await workerFollower.caughtUp;
    await workerFollower.stop();
    worker.stop();
    expect(server.state('agenda')).toMatchObject({ status: 'rebuilding', position: 0 });

    server.reload();
    expect(await waited).toBe(true);
    expect(server.state('agenda')).toMatchObject({ status: 'catching-up', position: firstHead });
    const head = await append([invited(ids.plenary, africanUnion)]);
    follow(server);
    expect(await server.waitFor('positions-seen', head, 5_000)).toBe(true);
    expect(seen(server.database)).toEqual(upTo(head));
    const [plenary] = wholeAgenda(server.database.db, { forum: 'plenary' }, head, 10);
    expect(plenary?.observers.map((o) => o.observerId)).toEqual(['african-union']);
    expect(() => server.reload()).toThrow(/before their follower starts/);
  });

  it('keeps nothing of a page whose commit failed, and applies it once when fed again', async () => {
    const { append, openProjections, follow } = ledger();
    const head = await append(coalitionWeek);
    const engine = openProjections('p.db', [positionsSeen]);
    const apply = engine.apply.bind(engine);
    let failures = 2;
    engine.apply = (page) => {
      // The disk is full at COMMIT: the engine rolls the page back and the follower feeds it again.
      if (page.some((e) => e.position === 6) && failures-- > 0) {
        engine.database.db.exec('BEGIN');
        engine.database.db.exec('ROLLBACK');
        throw new Error('SQLITE_FULL: database or disk is full');
      }
      apply(page);
    };
    follow(engine);
    expect(await engine.waitFor('positions-seen', head, 5_000)).toBe(true);
    expect(seen(engine.database)).toEqual(upTo(head));
  });

  describe('waitFor', () => {
    it('resolves true at once for a position already applied, and false when not reached in time', async () => {
      const { append, openProjections, follow } = ledger();
      const head = await append(coalitionWeek);
      const engine = openProjections();
      await follow(engine).caughtUp;
      expect(await engine.waitFor('timeline', head, 0)).toBe(true);
      expect(await engine.waitFor('timeline', head + 1, 50)).toBe(false);
    });

    it('resolves true once a position appended after the wait began is applied', async () => {
      const { append, openProjections, follow } = ledger();
      const engine = openProjections();
      await follow(engine).caughtUp;
      const waiting = engine.waitFor('attendance', 3, 5_000);
      await append(coalitionWeek.slice(0, 4));
      expect(await waiting).toBe(true);
    });

    it('answers false to a reader still waiting when the engine stops', async () => {
      const { append, openProjections, follow } = ledger();
      const head = await append(coalitionWeek);
      const engine = openProjections();
      await follow(engine).caughtUp;
      let answer: boolean | undefined;
      void engine.waitFor('agenda', head + 5, 60_000).then((reached) => (answer = reached));
      engine.stop();
      await waitUntil(() => answer !== undefined, 'the waiting reader to be answered', 1_000);
      expect(answer).toBe(false);
    });
  });
});

describe('a projection that throws on an event', () => {
  const failing = async (files: ReturnType<typeof ledger>, file = 'p.db') => {
    const failures: [string, RunnerFailure, unknown][] = [];
    const engine = files.openProjections(file, [agendaChokingOnMnjtf, positionsSeen], (...report) =>
      failures.push(report),
    );
    files.follow(engine);
    await waitUntil(() => engine.state('agenda').status === 'failed', 'the agenda to fail');
    return { engine, failures };
  };

  it('stops with status failed and reports the position, event type and message', async () => {
    const files = ledger();
    await files.append(coalitionWeek);
    const { engine, failures } = await failing(files);
    const failure = { position: mnjtfInvitedAt, eventType: 'ObserverInvited', message: 'Error: cannot place mnjtf' };
    expect(engine.state('agenda').failure).toEqual(failure);
    expect(failures).toEqual([['agenda', failure, new Error('cannot place mnjtf')]]);
  });

  it('keeps nothing the throwing page half-wrote: it answers from its last committed position', async () => {
    const files = ledger();
    await files.append(coalitionWeek);
    const { engine } = await failing(files);
    // Pages of four: positions 1-4 committed, the page 5-8 failed on 8 and was rolled back whole.
    expect(engine.state('agenda').position).toBe(4);
    expect(engine.database.checkpoint('agenda')).toMatchObject({ position: 4 });
    expect(agendaIds(engine, { from: '2000-01-01T00:00:00.000Z' })).toEqual([ids.counterFinance]);
    const laterRows = (table: string) =>
      engine.database.db.prepare(`SELECT count(*) AS n FROM ${table} WHERE valid_from > 4`).get() as { n: number };
    for (const table of agendaProjection.tables) expect(laterRows(table).n, table).toBe(0);
  });

  it('rolls back a page that changed more than the 64 KiB SQLite keeps of a savepoint by default, with the copies in memory', async () => {
    // Each event rewrites every row of a ~400 KiB table: the savepoint of the page that throws holds
    // copies of ~100 pages, past the size SQLite spills to a temporary file unless temp_store=MEMORY.
    const rows = 100;
    const rewriting: Projection = {
      name: 'rewriting',
      version: 1,
      eventTypes: Object.keys(eventCatalog) as LedgerEventType[],
      tables: ['rewritten'],
      schema: 'CREATE TABLE rewritten (id INTEGER PRIMARY KEY, last INTEGER NOT NULL, filler TEXT NOT NULL)',
      writer: (db) => {
        const write = db.prepare('INSERT OR REPLACE INTO rewritten (id, last, filler) VALUES (?, ?, ?)');
        return {
          apply: (event) => {
            for (let id = 0; id < rows; id += 1) write.run(id, event.position, 'x'.repeat(4000));
            if (event.position === mnjtfInvitedAt) throw new Error('cannot place mnjtf');
          },
          forget: () => undefined,
        };
      },
    };
    const files = ledger();
    await files.append(coalitionWeek);
    const engine = files.openProjections('p.db', [rewriting]);
    expect(engine.database.db.pragma('temp_store', { simple: true })).toBe(2); // MEMORY
    files.follow(engine);
    await waitUntil(() => engine.state('rewriting').status === 'failed', 'the projection to fail');
    // Pages of four: 1-4 committed, 5-8 rolled back whole, every row as event 4 left it.
    const lasts = engine.database.db.prepare('SELECT DISTINCT last FROM rewritten').pluck().all();
    expect({ position: engine.state('rewriting').position, lasts }).toEqual({ position: 4, lasts: [4] });
  });

  it('does not advance past the event as more are appended, while the other projections go on', async () => {
    const files = ledger();
    await files.append(coalitionWeek);
    const { engine } = await failing(files);
    const head = await files.append([closed(ids.plenary)]);
    expect(await engine.waitFor('positions-seen', head, 5_000)).toBe(true);
    expect(seen(engine.database)).toEqual(upTo(head));
    expect(await engine.waitFor('agenda', mnjtfInvitedAt, 100)).toBe(false);
    expect(engine.state('agenda')).toMatchObject({ status: 'failed', position: 4 });
  });

  it('fails again on the same event after a restart instead of skipping it, and a fixed projection applies it', async () => {
    const files = ledger();
    const head = await files.append(coalitionWeek);
    await failing(files);
    await files.stopAll();
    const again = await failing(files);
    expect(again.engine.state('agenda').failure?.position).toBe(mnjtfInvitedAt);
    await files.stopAll();

    const fixed = files.openProjections('p.db', [agendaProjection]);
    files.follow(fixed);
    expect(await fixed.waitFor('agenda', head, 5_000)).toBe(true);
    const [smallGroup] = wholeAgenda(fixed.database.db, { forum: 'small-group' }, head, 10);
    expect(smallGroup?.observers.map((o) => o.observerId)).toEqual(['african-union', 'mnjtf']);
  });
});

describe('a projection whose version changed', () => {
  it('drops its rows and is rebuilt from zero in the same read as the others, which lose nothing', async () => {
    const files = ledger();
    const savedAt = await files.append(coalitionWeek);
    await files.follow(files.openProjections('p.db', [agendaProjection, positionsSeen])).caughtUp;
    await files.stopAll();

    const next = { ...agendaProjection, version: agendaProjection.version + 1 };
    const head = await files.append([rescheduled(plenaryScheduled, '2017-07-14T13:00:00.000Z', null)]);
    const engine = files.openProjections('p.db', [next, positionsSeen]);
    expect(engine.state('agenda')).toMatchObject({ status: 'rebuilding', position: 0, version: next.version });
    expect(engine.state('positions-seen')).toMatchObject({ position: savedAt });
    await files.follow(engine).caughtUp;
    expect(engine.state('agenda')).toMatchObject({ status: 'live', position: head });
    expect(seen(engine.database)).toEqual(upTo(head));
    expect(agendaIds(engine)).toEqual([ids.counterFinance, ids.smallGroup, ids.plenary]);
  });
});

describe('ProjectionEngine.report', () => {
  const recordedAt = new Date('2017-07-13T13:00:00.000Z');
  const thirtySecondsLater = new Date('2017-07-13T13:00:30.000Z');

  it('gives every projection its version, position, lag and status, before and after catching up', async () => {
    const files = ledger(() => recordedAt);
    const head = await files.append(coalitionWeek);
    const engine = files.openProjections();
    const report = (position: number, lagSeconds: number, status: string) =>
      (['agenda', 'attendance', 'timeline'] as const).map((name) => ({
        name,
        version: projections[name].version,
        position,
        lagEvents: head - position,
        lagSeconds,
        status,
      }));
    expect(await engine.report(files.events, thirtySecondsLater)).toEqual(report(0, 30, 'rebuilding'));
    await files.follow(engine).caughtUp;
    expect(await engine.report(files.events, thirtySecondsLater)).toEqual(report(head, 0, 'live'));
  });

  it('reports the projections that failed on a stored event of an unknown shape, with where and why', async () => {
    const files = ledger(() => recordedAt);
    await files.append(coalitionWeek);
    const malformed = await files.events.appendToStream(meetingStream(ids.ministerial), [
      { eventId: randomUUID(), type: 'MeetingScheduled', data: { meetingId: ids.ministerial }, metadata: {} },
    ]);
    const head = await files.append([closed(ids.plenary)]);
    const engine = files.openProjections();
    files.follow(engine);
    const names = ['agenda', 'attendance', 'timeline'] as const;
    await waitUntil(() => names.every((n) => engine.state(n).status === 'failed'), 'every projection to fail');
    const reports = await engine.report(files.events, thirtySecondsLater);
    for (const report of reports) {
      expect(report).toMatchObject({
        status: 'failed',
        lagSeconds: 30,
        error: { position: malformed.position, eventType: 'MeetingScheduled', message: expect.any(String) },
      });
      expect(report.position).toBeLessThan(malformed.position);
      expect(report.lagEvents).toBe(head - report.position);
    }
  });
});
