import fc from 'fast-check';
import { meetingDecider, memberDecider } from '../../src/application/ledgerCommands.js';
import { LedgerError } from '../../src/domain/errors.js';
import type { LedgerEvent } from '../../src/domain/events.js';
import type { MeetingCommand } from '../../src/domain/meeting/commands.js';
import { outcomeKinds, stages } from '../../src/domain/meeting/events.js';
import type { Meeting } from '../../src/domain/meeting/meeting.js';
import type { MemberCommand } from '../../src/domain/member/commands.js';
import type { Member } from '../../src/domain/member/member.js';
import { africanUnion, chad, germany, ids, iraq, mnjtf, nigeria, unitedStates } from './coalitionEvents.js';

// Commands as the deciders see them, drawn from the week in Washington: a few meetings, the states
// and organisations of the media note, the theatres it names. Many draws break a rule (attendance
// at a meeting never scheduled, a stage after the meeting closed...): the decider refuses those and
// they are skipped, exactly as the ledger would answer 4xx and append nothing.

type Command = MeetingCommand | MemberCommand;

const meetingId = fc.constantFrom(ids.counterFinance, ids.plenary, ids.smallGroup);
const party = fc.constantFrom(unitedStates, iraq, germany, nigeria, africanUnion, mnjtf, chad);
const itemId = fc.constantFrom('campaign-priorities', 'lake-chad-basin', 'stabilization');
const agendaItems = [
  { itemId: 'campaign-priorities', title: 'Priorities to build on the progress in Mosul and Raqqa' },
  { itemId: 'lake-chad-basin', title: 'Special session: the ISIS threat in the Lake Chad Basin region' },
  { itemId: 'stabilization', title: 'Voluntary return home of the displaced' },
];
const optional = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });

/** An instant in the week of 10 July 2017, on the hour. */
const instant = fc
  .record({ day: fc.integer({ min: 0, max: 6 }), hour: fc.integer({ min: 8, max: 18 }) })
  .map(({ day, hour }) => new Date(Date.UTC(2017, 6, 10 + day, hour)).toISOString());
const endAfter = (startsAt: string, hours: number | undefined) =>
  hours === undefined ? undefined : new Date(Date.parse(startsAt) + hours * 3_600_000).toISOString();

const admit = party.map(({ id, name, kind }): Command => ({ type: 'AdmitMember', data: { memberId: id, name, kind } }));

const schedule = fc
  .record({
    meetingId,
    startsAt: instant,
    hours: optional(fc.integer({ min: 1, max: 8 })),
    forum: fc.constantFrom('plenary', 'small-group', 'working-group/counter-finance'),
    agenda: fc.subarray(agendaItems),
  })
  .map(({ meetingId, startsAt, hours, forum, agenda }): Command => ({
    type: 'ScheduleMeeting',
    meetingId,
    data: {
      meetingId,
      title: `Meeting of the Coalition (${forum})`,
      forum,
      startsAt,
      endsAt: endAfter(startsAt, hours),
      location: 'Washington, D.C.',
      agenda,
    },
  }));

const reschedule = fc
  .record({ meetingId, startsAt: instant, hours: optional(fc.integer({ min: 1, max: 8 })) })
  .map(({ meetingId, startsAt, hours }): Command => ({
    type: 'RescheduleMeeting',
    meetingId,
    data: { startsAt, endsAt: endAfter(startsAt, hours) },
  }));

const cancel = meetingId.map((meetingId): Command => ({
  type: 'CancelMeeting',
  meetingId,
  data: { reason: 'No quorum' },
}));
const close = meetingId.map((meetingId): Command => ({ type: 'CloseMeeting', meetingId, data: {} }));

const addItem = fc
  .record({ meetingId, item: fc.constantFrom(...agendaItems) })
  .map(({ meetingId, item }): Command => ({ type: 'AddAgendaItem', meetingId, data: item }));

const invite = fc
  .record({ meetingId, party, session: optional(itemId) })
  .map(({ meetingId, party: { id, name, kind }, session }): Command => ({
    type: 'InviteObserver',
    meetingId,
    data: { observerId: id, name, kind, session },
  }));

const attend = fc
  .record({ meetingId, party, status: fc.constantFrom('present' as const, 'absent' as const) })
  .map(({ meetingId, party, status }): Command => ({
    type: 'RecordAttendance',
    meetingId,
    // Looked up from the member's stream when the sequence is decided.
    data: { participantId: party.id, status, memberAdmitted: false },
  }));

const recordOutcome = fc
  .record({
    meetingId,
    serial: fc.integer({ min: 0, max: 999 }),
    kind: fc.constantFrom(...outcomeKinds),
    theatre: optional(fc.constantFrom('mosul', 'raqqa', 'tal-afar', 'lake-chad-basin')),
    stage: optional(fc.constantFrom(...stages)),
    occurredOn: optional(fc.integer({ min: 1, max: 20 }).map((day) => `2017-07-${String(day).padStart(2, '0')}`)),
    agendaItemId: optional(itemId),
  })
  .map(({ meetingId, serial, theatre, stage, ...rest }): Command => ({
    type: 'RecordOutcome',
    meetingId,
    data: {
      ...rest,
      outcomeId: `01BKT${String(serial).padStart(21, '0')}`,
      summary: `${theatre ?? 'The campaign'}: ${stage ?? 'no change of stage'}`,
      theatre,
      stage: theatre === undefined ? undefined : stage,
    },
  }));

/** A few admissions and meetings first, then any mix of commands. */
export const commandSequences = fc
  .tuple(
    fc.array(admit, { maxLength: 5, size: 'max' }),
    fc.uniqueArray(schedule, { selector: (c) => (c.type === 'AdmitMember' ? '' : c.meetingId), minLength: 1 }),
    fc.array(
      fc.oneof(
        { arbitrary: attend, weight: 4 },
        { arbitrary: invite, weight: 3 },
        { arbitrary: recordOutcome, weight: 4 },
        { arbitrary: admit, weight: 1 },
        { arbitrary: schedule, weight: 1 },
        { arbitrary: addItem, weight: 1 },
        { arbitrary: reschedule, weight: 2 },
        { arbitrary: cancel, weight: 1 },
        { arbitrary: close, weight: 1 },
      ),
      { minLength: 5, maxLength: 60, size: 'max' },
    ),
  )
  .map(([admissions, meetings, rest]) => [...admissions, ...meetings, ...rest]);

/** Runs each command through the real decider on its stream's folded state; refused commands append nothing. */
export const decideAll = (commands: readonly Command[]): LedgerEvent[] => {
  const meetings = new Map<string, Meeting>();
  const members = new Map<string, Member>();
  const log: LedgerEvent[] = [];
  for (const command of commands) {
    try {
      if (command.type === 'AdmitMember') {
        const state = members.get(command.data.memberId) ?? memberDecider.initialState();
        const events = memberDecider.decide(command, state);
        members.set(command.data.memberId, events.reduce(memberDecider.evolve, state));
        log.push(...events);
        continue;
      }
      const decided: MeetingCommand =
        command.type === 'RecordAttendance'
          ? {
              ...command,
              data: { ...command.data, memberAdmitted: members.get(command.data.participantId)?.status === 'admitted' },
            }
          : command;
      const state = meetings.get(command.meetingId) ?? meetingDecider.initialState();
      const events = meetingDecider.decide(decided, state);
      meetings.set(command.meetingId, events.reduce(meetingDecider.evolve, state));
      log.push(...events);
    } catch (error) {
      if (!(error instanceof LedgerError)) throw error;
    }
  }
  return log;
};
