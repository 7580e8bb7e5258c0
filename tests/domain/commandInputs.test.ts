import { describe, expect, it } from 'vitest';
import { commandInputs, defaultLimits as limits } from '../../src/domain/meeting/commands.js';
import { meetingId, mosulOutcomeId } from './smallGroupMeeting.js';

const {
  ScheduleMeeting,
  RescheduleMeeting,
  CancelMeeting,
  AddAgendaItem,
  InviteObserver,
  RecordAttendance,
  RecordOutcome,
  CloseMeeting,
} = commandInputs;

const smallGroup = {
  meetingId,
  title: 'Small Group meeting of the Global Coalition to Defeat ISIS',
  forum: 'small-group',
  startsAt: '2017-07-13T09:00:00-04:00',
  endsAt: '2017-07-13T17:00:00-04:00',
  location: 'Washington, D.C.',
  host: 'Special Presidential Envoy Brett McGurk',
  agenda: [
    { itemId: 'lake-chad-basin', title: 'Special session on the ISIS threat in the Lake Chad Basin' },
    { title: 'Raqqa' },
  ],
};

const mosul = {
  outcomeId: mosulOutcomeId,
  agendaItemId: 'campaign-priorities',
  kind: 'assessment',
  summary: 'Mosul is on the verge of liberation by the Iraqi Security Forces.',
  theatre: 'mosul',
  stage: 'verge-of-liberation',
  occurredOn: '2017-07-05',
};

const agendaOf = (count: number) =>
  Array.from({ length: count }, (_, i) => ({ title: `Working group report ${i + 1}` }));

describe('ScheduleMeeting input', () => {
  it('accepts the Small Group meeting and normalises its times to UTC', () => {
    expect(ScheduleMeeting.parse(smallGroup)).toEqual({
      ...smallGroup,
      startsAt: '2017-07-13T13:00:00.000Z',
      endsAt: '2017-07-13T21:00:00.000Z',
    });
  });

  it('accepts a meeting with only a title, a forum, a start and a location', () => {
    const { meetingId: _id, endsAt: _end, host: _host, agenda: _agenda, ...required } = smallGroup;
    expect(ScheduleMeeting.safeParse(required).success).toBe(true);
  });

  it('accepts a working group as a forum with one sub-level', () => {
    expect(ScheduleMeeting.safeParse({ ...smallGroup, forum: 'working-group/counter-finance' }).success).toBe(true);
  });

  it.each([
    ['ends when it starts', '2017-07-13T13:00:00Z'],
    ['ends before it starts', '2017-07-13T08:00:00-04:00'],
    ['ends earlier in time though later on the clock of another offset', '2017-07-13T14:00:00+02:00'],
  ])('rejects a meeting that %s', (_case, endsAt) => {
    const result = ScheduleMeeting.safeParse({ ...smallGroup, endsAt });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path)).toEqual([['endsAt']]);
  });

  it('accepts an end given in another offset when it is later in time', () => {
    expect(ScheduleMeeting.parse({ ...smallGroup, endsAt: '2017-07-13T19:00:00+02:00' }).endsAt).toBe(
      '2017-07-13T17:00:00.000Z',
    );
  });

  it('rejects an unknown field', () => {
    expect(ScheduleMeeting.safeParse({ ...smallGroup, chair: 'Brett McGurk' }).success).toBe(false);
  });

  it('rejects an unknown field in an agenda item', () => {
    expect(ScheduleMeeting.safeParse({ ...smallGroup, agenda: [{ title: 'Mosul', owner: 'iraq' }] }).success).toBe(
      false,
    );
  });

  it('rejects an agenda item id that is not a slug', () => {
    expect(
      ScheduleMeeting.safeParse({ ...smallGroup, agenda: [{ itemId: 'Lake Chad', title: 'Lake Chad' }] }).success,
    ).toBe(false);
  });

  it(`accepts ${limits.agendaItemsPerCommand} agenda items and rejects one more`, () => {
    expect(ScheduleMeeting.safeParse({ ...smallGroup, agenda: agendaOf(100) }).success).toBe(true);
    expect(ScheduleMeeting.safeParse({ ...smallGroup, agenda: agendaOf(101) }).success).toBe(false);
  });

  it('rejects a title longer than 300 characters', () => {
    expect(ScheduleMeeting.safeParse({ ...smallGroup, title: 'x'.repeat(301) }).success).toBe(false);
  });

  it.each([
    '01bks3q5g0x7y8z9abcdefghjk',
    '01BKS3Q5G0X7Y8Z9ABCDEFGHJ',
    '81BKS3Q5G0X7Y8Z9ABCDEFGHJK',
    '01BKS3Q5G0X7Y8Z9ABCDEFGHJU',
  ])('rejects the meeting id %j', (id) => {
    expect(ScheduleMeeting.safeParse({ ...smallGroup, meetingId: id }).success).toBe(false);
  });

  it('rejects a start without an offset', () => {
    expect(
      ScheduleMeeting.safeParse({ ...smallGroup, startsAt: '2017-07-13T09:00:00', endsAt: undefined }).success,
    ).toBe(false);
  });
});

describe('RescheduleMeeting input', () => {
  it('accepts a new start alone and normalises it to UTC', () => {
    expect(RescheduleMeeting.parse({ startsAt: '2017-07-13T10:00:00-04:00' })).toEqual({
      startsAt: '2017-07-13T14:00:00.000Z',
    });
  });

  it('rejects a new end that is not after the new start', () => {
    expect(
      RescheduleMeeting.safeParse({ startsAt: '2017-07-13T14:00:00Z', endsAt: '2017-07-13T10:00:00-04:00' }).success,
    ).toBe(false);
  });

  it('rejects an unknown field', () => {
    expect(RescheduleMeeting.safeParse({ startsAt: '2017-07-13T14:00:00Z', location: 'Berlin' }).success).toBe(false);
  });
});

describe('CancelMeeting input', () => {
  it('requires a reason that is not blank', () => {
    expect(CancelMeeting.safeParse({ reason: 'Folded into the plenary' }).success).toBe(true);
    expect(CancelMeeting.safeParse({}).success).toBe(false);
    expect(CancelMeeting.safeParse({ reason: ' \n ' }).success).toBe(false);
  });

  it('rejects a reason longer than 1000 characters', () => {
    expect(CancelMeeting.safeParse({ reason: 'x'.repeat(1001) }).success).toBe(false);
  });
});

describe('AddAgendaItem input', () => {
  it('accepts an item with or without an id', () => {
    expect(AddAgendaItem.safeParse({ itemId: 'counter-finance', title: 'Counter Finance' }).success).toBe(true);
    expect(AddAgendaItem.safeParse({ title: 'Counter Finance' }).success).toBe(true);
  });

  it('rejects an item without a title', () => {
    expect(AddAgendaItem.safeParse({ itemId: 'counter-finance' }).success).toBe(false);
  });
});

describe('InviteObserver input', () => {
  const africanUnion = {
    observerId: 'african-union',
    name: 'African Union',
    kind: 'organization',
    session: 'lake-chad-basin',
  };

  it('accepts the African Union invited to the Lake Chad Basin session', () => {
    expect(InviteObserver.parse(africanUnion)).toEqual(africanUnion);
  });

  it.each([
    ['an observer id in capitals', { observerId: 'MNJTF' }],
    ['a session that is not a slug', { session: 'Lake Chad Basin' }],
    ['a kind other than state or organization', { kind: 'task-force' }],
    ['an unknown field', { invitedBy: 'united-states' }],
  ])('rejects %s', (_case, change) => {
    expect(InviteObserver.safeParse({ ...africanUnion, ...change }).success).toBe(false);
  });
});

describe('RecordAttendance input', () => {
  it('accepts present and absent', () => {
    expect(RecordAttendance.safeParse({ participantId: 'iraq', status: 'present' }).success).toBe(true);
    expect(RecordAttendance.safeParse({ participantId: 'iraq', status: 'absent' }).success).toBe(true);
  });

  it('rejects a status other than present or absent', () => {
    expect(RecordAttendance.safeParse({ participantId: 'iraq', status: 'late' }).success).toBe(false);
  });

  it('does not let the client claim that the participant is an admitted member', () => {
    expect(
      RecordAttendance.safeParse({ participantId: 'niger', status: 'present', memberAdmitted: true }).success,
    ).toBe(false);
  });
});

describe('RecordOutcome input', () => {
  it('accepts that Mosul is on the verge of liberation', () => {
    expect(RecordOutcome.parse(mosul)).toEqual(mosul);
  });

  it('accepts a theatre without a stage', () => {
    const { stage: _stage, ...withoutStage } = mosul;
    expect(RecordOutcome.safeParse(withoutStage).success).toBe(true);
  });

  it('rejects a stage without a theatre', () => {
    const { theatre: _theatre, ...withoutTheatre } = mosul;
    const result = RecordOutcome.safeParse(withoutTheatre);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path)).toEqual([['stage']]);
  });

  it.each([
    ['an unknown kind', { kind: 'rumour' }],
    ['an unknown stage', { stage: 'besieged' }],
    ['a date that does not exist', { occurredOn: '2017-02-30' }],
    ['a 29 February outside a leap year', { occurredOn: '2017-02-29' }],
    ['a date with a time', { occurredOn: '2017-07-05T00:00:00Z' }],
    ['an outcome id that is not a ULID', { outcomeId: 'mosul-on-the-verge' }],
    ['an unknown field', { source: 'press release' }],
  ])('rejects %s', (_case, change) => {
    expect(RecordOutcome.safeParse({ ...mosul, ...change }).success).toBe(false);
  });

  it('accepts 29 February in a leap year', () => {
    expect(RecordOutcome.safeParse({ ...mosul, occurredOn: '2016-02-29' }).success).toBe(true);
  });

  it(`accepts a summary of ${limits.summary} characters and rejects one more`, () => {
    expect(RecordOutcome.safeParse({ ...mosul, summary: 'x'.repeat(4000) }).success).toBe(true);
    expect(RecordOutcome.safeParse({ ...mosul, summary: 'x'.repeat(4001) }).success).toBe(false);
  });

  // calendarDate's refine runs even after z.iso.date() has failed: it must not throw on a non-date.
  it.each(['2017-7-5', '05/07/2017', '2017-13-01', ''])(
    'rejects the malformed date %j as invalid rather than throwing',
    (occurredOn) => {
      expect(RecordOutcome.safeParse({ ...mosul, occurredOn }).success).toBe(false);
    },
  );
});

describe('CloseMeeting input', () => {
  it('accepts an empty body and rejects any field', () => {
    expect(CloseMeeting.safeParse({}).success).toBe(true);
    expect(CloseMeeting.safeParse({ reason: 'done' }).success).toBe(false);
  });
});
