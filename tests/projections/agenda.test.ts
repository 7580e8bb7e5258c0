import { describe, expect, it } from 'vitest';
import { agendaProjection } from '../../src/projections/agenda/agendaProjection.js';
import type { AgendaMeeting } from '../../src/projections/agenda/agendaQueries.js';
import { agendaOf } from './wholeAnswers.js';
import {
  africanUnion,
  cancelled,
  chad,
  closed,
  counterFinanceScheduled,
  foreignFightersScheduled,
  ids,
  invited,
  itemAdded,
  ministerialScheduled,
  mnjtf,
  plenaryScheduled,
  politicalDirectorsScheduled,
  rescheduled,
  smallGroupScheduled,
} from './coalitionEvents.js';
import { projectionSpec } from './projectionSpec.js';

const given = projectionSpec(agendaProjection, agendaOf, {});

const meetingIds = (meetings: AgendaMeeting[]) => meetings.map((m) => m.meetingId);

const week = [smallGroupScheduled, ministerialScheduled, plenaryScheduled, counterFinanceScheduled];

describe('agenda projection', () => {
  it('shows a scheduled meeting with its forum, place, host, times and agenda items', () => {
    given([plenaryScheduled]).then([
      {
        meetingId: ids.plenary,
        title: 'Plenary of the 72-member Global Coalition to Defeat ISIS',
        forum: 'plenary',
        status: 'scheduled',
        location: 'Washington, D.C.',
        host: 'Special Presidential Envoy Brett McGurk',
        startsAt: '2017-07-12T13:00:00.000Z',
        endsAt: '2017-07-12T21:00:00.000Z',
        agenda: plenaryScheduled.data.agenda,
        observers: [],
        cancellationReason: null,
        sequence: 0,
        updatedAt: expect.any(String),
      },
    ]);
  });

  it('orders meetings by start time, whatever order they were scheduled in', () => {
    expect(meetingIds(given([...week, politicalDirectorsScheduled]).answer({}))).toEqual([
      ids.politicalDirectors,
      ids.ministerial,
      ids.counterFinance,
      ids.plenary,
      ids.smallGroup,
    ]);
  });

  it('orders meetings that start at the same instant by their id', () => {
    expect(meetingIds(given([foreignFightersScheduled, counterFinanceScheduled]).answer({}))).toEqual([
      ids.counterFinance,
      ids.foreignFighters,
    ]);
  });

  it('keeps the meetings starting at or after from and before to', () => {
    const agenda = given(week);
    expect(meetingIds(agenda.answer({ from: '2017-07-11T00:00:00.000Z', to: '2017-07-13T00:00:00.000Z' }))).toEqual([
      ids.counterFinance,
      ids.plenary,
    ]);
    expect(meetingIds(agenda.answer({ from: plenaryScheduled.data.startsAt }))).toEqual([ids.plenary, ids.smallGroup]);
    expect(meetingIds(agenda.answer({ to: plenaryScheduled.data.startsAt }))).toEqual([
      ids.ministerial,
      ids.counterFinance,
    ]);
  });

  it('keeps only the meetings of one forum', () => {
    expect(meetingIds(given([...week, foreignFightersScheduled]).answer({ forum: 'small-group' }))).toEqual([
      ids.smallGroup,
    ]);
    expect(
      meetingIds(given([...week, foreignFightersScheduled]).answer({ forum: 'working-group/counter-finance' })),
    ).toEqual([ids.counterFinance]);
  });

  it('keeps only the meetings in one status', () => {
    const agenda = given([
      ...week,
      rescheduled(plenaryScheduled, '2017-07-12T15:00:00.000Z', '2017-07-12T23:00:00.000Z'),
      cancelled(ids.counterFinance, 'Merged into the plenary'),
      closed(ids.ministerial),
    ]);
    expect(meetingIds(agenda.answer({ status: 'scheduled' }))).toEqual([ids.smallGroup]);
    expect(meetingIds(agenda.answer({ status: 'rescheduled' }))).toEqual([ids.plenary]);
    expect(meetingIds(agenda.answer({ status: 'cancelled' }))).toEqual([ids.counterFinance]);
    expect(meetingIds(agenda.answer({ status: 'closed' }))).toEqual([ids.ministerial]);
  });

  it('moves a rescheduled meeting to its new time and marks it rescheduled', () => {
    const moved = rescheduled(
      plenaryScheduled,
      '2017-07-14T13:00:00.000Z',
      '2017-07-14T21:00:00.000Z',
      'Ministers arrive a day late',
    );
    const agenda = given([...week, moved]);
    expect(meetingIds(agenda.answer({}))).toEqual([ids.ministerial, ids.counterFinance, ids.smallGroup, ids.plenary]);
    expect(meetingIds(agenda.answer({ from: '2017-07-12T00:00:00.000Z', to: '2017-07-13T00:00:00.000Z' }))).toEqual([]);
    agenda.when({ forum: 'plenary' }).then([
      expect.objectContaining({
        status: 'rescheduled',
        startsAt: '2017-07-14T13:00:00.000Z',
        endsAt: '2017-07-14T21:00:00.000Z',
      }),
    ]);
  });

  it('keeps a cancelled meeting on the agenda, marked cancelled with its reason', () => {
    given([smallGroupScheduled, cancelled(ids.smallGroup, 'Folded into the ministerial plenary')]).then([
      expect.objectContaining({
        meetingId: ids.smallGroup,
        status: 'cancelled',
        cancellationReason: 'Folded into the ministerial plenary',
        startsAt: '2017-07-13T13:00:00.000Z',
      }),
    ]);
  });

  it('keeps a meeting rescheduled and then cancelled at its new time', () => {
    given([
      smallGroupScheduled,
      rescheduled(smallGroupScheduled, '2017-07-14T13:00:00.000Z', null),
      cancelled(ids.smallGroup, 'No quorum'),
    ]).then([expect.objectContaining({ status: 'cancelled', startsAt: '2017-07-14T13:00:00.000Z', endsAt: null })]);
  });

  it('marks a closed meeting closed', () => {
    given([plenaryScheduled, closed(ids.plenary)]).then([expect.objectContaining({ status: 'closed' })]);
  });

  it('lists agenda items in order: the scheduled ones, then those added, as they were added', () => {
    const [agenda] = given([
      smallGroupScheduled,
      itemAdded(ids.smallGroup, 'stabilization', 'Voluntary return home of the displaced'),
      itemAdded(ids.smallGroup, 'communications', 'Counter the ISIS narrative'),
    ]).answer({});
    expect(agenda?.agenda.map((item) => item.itemId)).toEqual([
      'campaign-priorities',
      'lake-chad-basin',
      'stabilization',
      'communications',
    ]);
  });

  it('lists invited observers in the order invited, with their kind and session', () => {
    const [meeting] = given([
      smallGroupScheduled,
      invited(ids.smallGroup, africanUnion, 'lake-chad-basin'),
      invited(ids.smallGroup, mnjtf, 'lake-chad-basin'),
      invited(ids.smallGroup, chad),
    ]).answer({});
    expect(meeting?.observers).toEqual([
      { observerId: 'african-union', name: 'African Union', kind: 'organization', session: 'lake-chad-basin' },
      {
        observerId: 'mnjtf',
        name: 'Multi National Joint Task Force (MNJTF)',
        kind: 'organization',
        session: 'lake-chad-basin',
      },
      { observerId: 'chad', name: 'Chad', kind: 'state', session: null },
    ]);
  });

  it('keeps the observers of one meeting off the others', () => {
    const agenda = given([plenaryScheduled, smallGroupScheduled, invited(ids.smallGroup, africanUnion)]);
    agenda.when({ forum: 'plenary' }).then([expect.objectContaining({ observers: [] })]);
  });

  it('counts every change after scheduling in its sequence, and dates its last change by the latest of them', () => {
    // positions 1-4, recorded a minute apart (see projectionSpec)
    const { answer } = given([
      smallGroupScheduled,
      invited(ids.smallGroup, africanUnion, 'lake-chad-basin'),
      itemAdded(ids.smallGroup, 'stabilization', 'Voluntary return home of the displaced'),
      rescheduled(smallGroupScheduled, '2017-07-14T13:00:00.000Z', null),
    ]);
    const minute = (n: number) => new Date(Date.UTC(2017, 6, 5, 12, n)).toISOString();
    expect(answer({}, 1)[0]).toMatchObject({ sequence: 0, updatedAt: minute(0) });
    expect(answer({}, 2)[0]).toMatchObject({ sequence: 1, updatedAt: minute(1) });
    expect(answer({}, 3)[0]).toMatchObject({ sequence: 2, updatedAt: minute(2) });
    expect(answer({}, 4)[0]).toMatchObject({ sequence: 3, updatedAt: minute(3), status: 'rescheduled' });
  });

  it('ignores changes to a meeting it never saw scheduled', () => {
    given([
      itemAdded(ids.smallGroup, 'stabilization', 'Voluntary return home of the displaced'),
      invited(ids.smallGroup, africanUnion),
      cancelled(ids.smallGroup, 'Never scheduled'),
    ]).then([]);
  });
});
