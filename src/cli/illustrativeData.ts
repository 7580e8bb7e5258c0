import { demoDays, demoId, demoMeetings, on, workingGroups, type DemoStep } from './demoData.js';

/**
 * Invented data on top of the note's week, to try what the note cannot show: members, attendance
 * (some absent), outcomes, the Lake Chad Basin assessment, three African states as observers (the
 * note does not name them) and the closing of every meeting. Loaded only with `demo --illustrative`,
 * by a loader whose events carry `metadata.illustrative = true`. None of it is a record of fact.
 */
const members = [
  ['united-states', 'United States', 'state'],
  ['germany', 'Germany', 'state'],
  ['france', 'France', 'state'],
  ['united-kingdom', 'United Kingdom', 'state'],
  ['iraq', 'Iraq', 'state'],
  ['jordan', 'Jordan', 'state'],
  ['saudi-arabia', 'Saudi Arabia', 'state'],
  ['turkey', 'Turkey', 'state'],
  ['italy', 'Italy', 'state'],
  ['nigeria', 'Nigeria', 'state'],
  ['european-union', 'European Union', 'organization'],
  ['nato', 'NATO', 'organization'],
] as const;

/** Members the illustration records as absent from the plenary, so that rates differ. */
const absentFromPlenary = new Set(['italy', 'nato']);
const africanStates = ['niger', 'chad', 'cameroon'] as const;

const admitted = (): DemoStep[] =>
  members.map(([memberId, name, kind]) => ({
    key: `member-${memberId}`,
    method: 'POST',
    url: '/v1/members',
    body: { memberId, name, kind },
  }));

const workingGroupOutcomes = (): DemoStep[] =>
  workingGroups.map(([slug, name], i) =>
    on(`wg-${slug}-outcome`, demoMeetings.workingGroups[i] ?? '', 'outcomes', {
      outcomeId: demoId(demoDays.workingGroups, 20 + i),
      agendaItemId: 'intensify-pressure',
      kind: 'commitment',
      summary: `Illustrative: members commit to intensify pressure on ISIS in ${name.toLowerCase()}.`,
    }),
  );

const plenary = (): DemoStep[] =>
  members.map(([memberId]) =>
    on(`plenary-attendance-${memberId}`, demoMeetings.plenary, 'attendance', {
      participantId: memberId,
      status: absentFromPlenary.has(memberId) ? 'absent' : 'present',
    }),
  );

const smallGroup = (): DemoStep[] => {
  const id = demoMeetings.smallGroup;
  const observers = africanStates.map((state) =>
    on(`small-group-${state}`, id, 'observers', {
      observerId: state,
      name: state[0]?.toUpperCase() + state.slice(1),
      kind: 'state',
      session: 'lake-chad-basin',
    }),
  );
  const present = ['african-union', 'mnjtf', 'niger', 'chad', 'nigeria', 'united-states', 'france'];
  const attendance = present.map((p) =>
    on(`small-group-attendance-${p}`, id, 'attendance', { participantId: p, status: 'present' }),
  );
  return [
    ...observers,
    ...attendance,
    on('small-group-attendance-cameroon', id, 'attendance', { participantId: 'cameroon', status: 'absent' }),
    on('small-group-stabilization', id, 'outcomes', {
      outcomeId: demoId(demoDays.smallGroup, 41),
      agendaItemId: 'priorities',
      kind: 'commitment',
      summary: 'Illustrative: increase stabilization efforts to facilitate the voluntary return home of the displaced.',
    }),
    on('small-group-lake-chad', id, 'outcomes', {
      outcomeId: demoId(demoDays.smallGroup, 42),
      agendaItemId: 'lake-chad-basin',
      kind: 'assessment',
      theatre: 'lake-chad-basin',
      stage: 'contested',
      summary: 'Illustrative: the ISIS threat in the Lake Chad Basin region remains contested.',
    }),
  ];
};

const closings = (): DemoStep[] =>
  [
    ['berlin', demoMeetings.berlin],
    ['ministerial', demoMeetings.ministerial],
    ...workingGroups.map(([slug], i) => [`wg-${slug}`, demoMeetings.workingGroups[i] ?? ''] as const),
    ['plenary', demoMeetings.plenary],
    ['small-group', demoMeetings.smallGroup],
  ].map(([key, id]) => on(`${key}-close`, id ?? '', 'close'));

/** The illustrative steps, run after the note's (`demoSteps`); the Small Group's closing is the last. */
export const illustrativeSteps = (): DemoStep[] => [
  ...admitted(),
  ...workingGroupOutcomes(),
  ...plenary(),
  ...smallGroup(),
  ...closings(),
];
