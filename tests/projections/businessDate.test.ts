import { describe, expect, it } from 'vitest';
import { agendaPageSql } from '../../src/projections/agenda/agendaQueries.js';
import { dayAfter, meetingsBy, timelineOn } from '../../src/projections/businessDate.js';
import { projections } from '../../src/projections/catalog.js';
import { ProjectionDatabase } from '../../src/projections/store/projectionDatabase.js';
import { ProjectionEngine } from '../../src/projections/projectionEngine.js';
import { timelineSql } from '../../src/projections/timeline/timelineQueries.js';

describe('the business date as a bound', () => {
  it('ends the timeline after the day and the meetings at midnight UTC after it', () => {
    const ofMosul: { theatre: string; to?: string } = { theatre: 'mosul' };
    expect(timelineOn(ofMosul, '2017-07-12')).toEqual({ theatre: 'mosul', to: '2017-07-13' });
    const fromTheStart: { from: string; to?: string } = { from: '' };
    expect(meetingsBy(fromTheStart, '2017-07-31')).toEqual({ from: '', to: '2017-08-01T00:00:00.000Z' });
    expect(meetingsBy({}, '2016-12-31')).toEqual({ to: '2017-01-01T00:00:00.000Z' });
    expect(timelineOn({}, '2016-02-28')).toEqual({ to: '2016-02-29' });
  });

  it('keeps the tighter of a given bound and the day, and no bound at all after 9999-12-31', () => {
    expect(timelineOn({ to: '2017-07-06' }, '2017-07-12')).toEqual({ to: '2017-07-06' });
    expect(timelineOn({ to: '2017-08-01' }, '2017-07-12')).toEqual({ to: '2017-07-13' });
    expect(dayAfter('9999-12-31')).toBeUndefined();
    expect(timelineOn({}, '9999-12-31')).toEqual({ to: undefined });
    expect(timelineOn({ to: '2017-01-01' }, undefined)).toEqual({ to: '2017-01-01' });
  });
});

describe('what a business-date read costs', () => {
  const database = new ProjectionDatabase(':memory:');
  new ProjectionEngine(database, { projections: [projections.agenda, projections.timeline] });
  const plan = (sql: string, params: Record<string, unknown>) =>
    (database.reader.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[])
      .map((row) => row.detail)
      .join('; ');

  it('reads the meetings that had started by the day as one range of the start-time index', () => {
    const params = { from: '', to: '2017-07-13T00:00:00.000Z', forum: null, status: null };
    const detail = plan(agendaPageSql, { ...params, afterStart: '', afterMeeting: '', at: 10, limit: 11 });
    expect(detail).toMatch(
      /SEARCH agenda_meetings USING (COVERING )?INDEX agenda_meetings_by_start \(starts_at>\? AND starts_at<\?\)/,
    );
    expect(detail).not.toMatch(/SCAN/);
  });

  it('reads the entries dated by the day as one range of the date index, listed outcomes only', () => {
    const params = { at: 10, from: '', to: '2017-07-13', afterDate: '', afterPosition: 0, limit: 11 };
    const detail = plan(timelineSql.entries, params);
    expect(detail).toMatch(/SEARCH timeline_outcomes USING INDEX timeline_outcomes_by_date \(date>\? AND date<\?\)/);
    expect(detail).not.toMatch(/SCAN/);
  });
});
