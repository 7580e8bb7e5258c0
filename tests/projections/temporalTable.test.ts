import Database from '../../src/sqliteDriver.js';
import { describe, expect, it } from 'vitest';
import { CURRENT, TemporalTable } from '../../src/projections/store/temporalTable.js';

const table = () => {
  const db = new Database(':memory:');
  db.exec(`CREATE TABLE stages (
    theatre TEXT NOT NULL, valid_from INTEGER NOT NULL, valid_to INTEGER NOT NULL, stage TEXT NOT NULL,
    PRIMARY KEY (theatre, valid_from)
  ) WITHOUT ROWID`);
  const stages = new TemporalTable<{ stage: string }>(db, 'stages', ['theatre'], ['stage']);
  const rows = () =>
    db.prepare('SELECT theatre, valid_from, valid_to, stage FROM stages ORDER BY theatre, valid_from').all();
  return { db, stages, rows };
};

describe('a temporal table', () => {
  it('closes the current row at the position of the change and adds the new version from there', () => {
    const { stages, rows } = table();
    stages.put(['mosul'], { stage: 'offensive-underway' }, 3);
    stages.put(['mosul'], { stage: 'verge-of-liberation' }, 7);
    stages.put(['mosul'], { stage: 'verge-of-liberation' }, 9); // the same values: nothing changes
    expect(rows()).toEqual([
      { theatre: 'mosul', valid_from: 3, valid_to: 7, stage: 'offensive-underway' },
      { theatre: 'mosul', valid_from: 7, valid_to: CURRENT, stage: 'verge-of-liberation' },
    ]);
    expect(stages.current(['mosul'])).toEqual({ stage: 'verge-of-liberation' });
  });

  it('replaces the row an event added when the same event changes the key again', () => {
    const { stages, rows } = table();
    stages.put(['raqqa'], { stage: 'contested' }, 2);
    stages.put(['raqqa'], { stage: 'offensive-underway' }, 5);
    stages.put(['raqqa'], { stage: 'verge-of-liberation' }, 5);
    expect(rows()).toEqual([
      { theatre: 'raqqa', valid_from: 2, valid_to: 5, stage: 'contested' },
      { theatre: 'raqqa', valid_from: 5, valid_to: CURRENT, stage: 'verge-of-liberation' },
    ]);
  });

  it('ends a key, which then has no current row, also when read afresh after its cache is forgotten', () => {
    const { stages, rows } = table();
    stages.put(['sirte'], { stage: 'liberated' }, 4);
    stages.end(['sirte'], 6);
    expect(stages.current(['sirte'])).toBeUndefined();
    stages.forget();
    expect(stages.current(['sirte'])).toBeUndefined();
    expect(rows()).toEqual([{ theatre: 'sirte', valid_from: 4, valid_to: 6, stage: 'liberated' }]);
  });

  it('finds and closes a key’s current row by its primary key, whatever number of versions it has', () => {
    const { db } = table();
    const plan = (sql: string) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...Array.from(sql.matchAll(/\?/g), () => 1)) as { detail: string }[])
        .map((row) => row.detail)
        .join('; ');
    expect(
      plan('SELECT valid_from, valid_to, stage FROM stages WHERE theatre = ? ORDER BY valid_from DESC LIMIT 1'),
    ).toMatch(/SEARCH stages USING PRIMARY KEY \(theatre=\?\)/);
    expect(plan('UPDATE stages SET valid_to = ? WHERE theatre = ? AND valid_from = ?')).toMatch(
      /SEARCH stages USING PRIMARY KEY \(theatre=\? AND valid_from=\?\)/,
    );
  });
});
