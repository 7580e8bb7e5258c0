import type { LedgerEvent } from '../../src/domain/events.js';
import type { MeetingEventOf, OutcomeKind, Stage } from '../../src/domain/meeting/events.js';

// The Global Coalition to Defeat ISIS in Washington, D.C., 11-13 July 2017, as announced in the State
// Department media note of 5 July 2017 (shared/seed/press-release-2017-07-05.txt), with the two
// meetings it names as the last ones before.

export const ids = {
  politicalDirectors: '01B1XFR0000000000000000PD0',
  ministerial: '01BBMRSTR00000000000000M22',
  counterFinance: '01BKQ8A000000000000000WGCF',
  foreignFighters: '01BKQ8A000000000000000WGFF',
  plenary: '01BKR7M000000000000000000P',
  smallGroup: '01BKS3Q5G0X7Y8Z9ABCDEFGHJK',
} as const;

const washington = 'Washington, D.C.';
const envoy = 'Special Presidential Envoy Brett McGurk';

type Scheduled = MeetingEventOf<'MeetingScheduled'>;

const scheduled = (data: Omit<Scheduled['data'], 'host' | 'location'> & Partial<Scheduled['data']>): Scheduled => ({
  type: 'MeetingScheduled',
  data: { location: washington, host: envoy, ...data },
});

export const politicalDirectorsScheduled = scheduled({
  meetingId: ids.politicalDirectors,
  title: 'Political directors of the Global Coalition to Defeat ISIS',
  forum: 'political-directors',
  startsAt: '2016-11-17T09:00:00.000Z',
  endsAt: '2016-11-17T17:00:00.000Z',
  location: 'Berlin, Germany',
  host: null,
  agenda: [],
});

export const ministerialScheduled = scheduled({
  meetingId: ids.ministerial,
  title: 'Meeting of Coalition foreign ministers',
  forum: 'ministerial',
  startsAt: '2017-03-22T13:00:00.000Z',
  endsAt: '2017-03-22T21:00:00.000Z',
  host: 'The Secretary of State',
  agenda: [],
});

export const counterFinanceScheduled = scheduled({
  meetingId: ids.counterFinance,
  title: 'Working Group on Counter Finance',
  forum: 'working-group/counter-finance',
  startsAt: '2017-07-11T13:00:00.000Z',
  endsAt: null,
  agenda: [{ itemId: 'assessment', title: 'Assess the campaign and intensify pressure on ISIS finances' }],
});

export const foreignFightersScheduled = scheduled({
  meetingId: ids.foreignFighters,
  title: 'Working Group on Foreign Terrorist Fighters',
  forum: 'working-group/foreign-terrorist-fighters',
  startsAt: '2017-07-11T13:00:00.000Z',
  endsAt: null,
  agenda: [],
});

export const plenaryScheduled = scheduled({
  meetingId: ids.plenary,
  title: 'Plenary of the 72-member Global Coalition to Defeat ISIS',
  forum: 'plenary',
  startsAt: '2017-07-12T13:00:00.000Z',
  endsAt: '2017-07-12T21:00:00.000Z',
  agenda: [
    { itemId: 'remaining-areas', title: 'Accelerate efforts in the remaining areas ISIS holds in Iraq and Syria' },
    { itemId: 'global-pressure', title: 'Maximize pressure on ISIS branches, affiliates and networks' },
  ],
});

export const smallGroupScheduled = scheduled({
  meetingId: ids.smallGroup,
  title: 'Small Group meeting of the Global Coalition to Defeat ISIS',
  forum: 'small-group',
  startsAt: '2017-07-13T13:00:00.000Z',
  endsAt: '2017-07-13T21:00:00.000Z',
  agenda: [
    { itemId: 'campaign-priorities', title: 'Priorities to build on the progress in Mosul and Raqqa' },
    { itemId: 'lake-chad-basin', title: 'Special session: the ISIS threat in the Lake Chad Basin region' },
  ],
});

export const rescheduled = (
  meeting: Scheduled,
  startsAt: string,
  endsAt: string | null,
  reason: string | null = null,
): MeetingEventOf<'MeetingRescheduled'> => ({
  type: 'MeetingRescheduled',
  data: {
    meetingId: meeting.data.meetingId,
    startsAt,
    endsAt,
    previousStartsAt: meeting.data.startsAt,
    previousEndsAt: meeting.data.endsAt,
    reason,
  },
});

export const cancelled = (meetingId: string, reason: string): MeetingEventOf<'MeetingCancelled'> => ({
  type: 'MeetingCancelled',
  data: { meetingId, reason },
});

export const closed = (meetingId: string): MeetingEventOf<'MeetingClosed'> => ({
  type: 'MeetingClosed',
  data: { meetingId },
});

export const itemAdded = (meetingId: string, itemId: string, title: string): MeetingEventOf<'AgendaItemAdded'> => ({
  type: 'AgendaItemAdded',
  data: { meetingId, itemId, title },
});

type Party = { id: string; name: string; kind: 'state' | 'organization' };

export const africanUnion: Party = { id: 'african-union', name: 'African Union', kind: 'organization' };
export const mnjtf: Party = { id: 'mnjtf', name: 'Multi National Joint Task Force (MNJTF)', kind: 'organization' };
export const nigeria: Party = { id: 'nigeria', name: 'Nigeria', kind: 'state' };
export const chad: Party = { id: 'chad', name: 'Chad', kind: 'state' };
export const iraq: Party = { id: 'iraq', name: 'Iraq', kind: 'state' };
export const germany: Party = { id: 'germany', name: 'Germany', kind: 'state' };
export const unitedStates: Party = { id: 'united-states', name: 'United States', kind: 'state' };

export const invited = (
  meetingId: string,
  observer: Party,
  session: string | null = null,
): MeetingEventOf<'ObserverInvited'> => ({
  type: 'ObserverInvited',
  data: { meetingId, observerId: observer.id, name: observer.name, kind: observer.kind, session },
});

export const admitted = (member: Party): LedgerEvent => ({
  type: 'MemberAdmitted',
  data: { memberId: member.id, name: member.name, kind: member.kind },
});

export const attended = (
  meetingId: string,
  participant: Party,
  role: 'member' | 'observer',
  status: 'present' | 'absent',
): MeetingEventOf<'AttendanceRecorded'> => ({
  type: 'AttendanceRecorded',
  data: { meetingId, participantId: participant.id, role, status },
});

export type OutcomeFacts = {
  outcomeId: string;
  theatre: string | null;
  stage?: Stage | null;
  occurredOn?: string | null;
  kind?: OutcomeKind;
  summary?: string;
};

export const outcome = (meetingId: string, facts: OutcomeFacts): MeetingEventOf<'OutcomeRecorded'> => ({
  type: 'OutcomeRecorded',
  data: {
    meetingId,
    outcomeId: facts.outcomeId,
    agendaItemId: null,
    kind: facts.kind ?? 'assessment',
    summary: facts.summary ?? `${facts.theatre ?? 'The campaign'}: ${facts.stage ?? 'no change of stage'}`,
    theatre: facts.theatre,
    stage: facts.stage ?? null,
    occurredOn: facts.occurredOn ?? null,
  },
});

export const mosulOnTheVerge = outcome(ids.smallGroup, {
  outcomeId: '01BKS3Q5G1A2B3C4D5E6F7G8H9',
  theatre: 'mosul',
  stage: 'verge-of-liberation',
  occurredOn: '2017-07-05',
  summary: 'Through Coalition support, Mosul is on the verge of liberation by the Iraqi Security Forces.',
});

export const raqqaOffensive = outcome(ids.smallGroup, {
  outcomeId: '01BKS3Q5G2A2B3C4D5E6F7G8H9',
  theatre: 'raqqa',
  stage: 'offensive-underway',
  summary: 'The Syrian Democratic Forces have taken the fight against ISIS directly to Raqqa.',
});

export const stabilizationCommitment = outcome(ids.smallGroup, {
  outcomeId: '01BKS3Q5G3A2B3C4D5E6F7G8H9',
  theatre: null,
  kind: 'commitment',
  summary: 'The Coalition will increase its stabilization efforts to help the displaced return home.',
});

/** The week in Washington as the secretariat would record it, in log order. */
export const coalitionWeek: LedgerEvent[] = [
  admitted(unitedStates),
  admitted(iraq),
  admitted(germany),
  counterFinanceScheduled,
  plenaryScheduled,
  smallGroupScheduled,
  invited(ids.smallGroup, africanUnion, 'lake-chad-basin'),
  invited(ids.smallGroup, mnjtf, 'lake-chad-basin'),
  attended(ids.plenary, iraq, 'member', 'present'),
  attended(ids.smallGroup, africanUnion, 'observer', 'present'),
  mosulOnTheVerge,
  raqqaOffensive,
  stabilizationCommitment,
];
