import { encodeTime } from 'ulid';

/**
 * The demo ledger: the Coalition meetings announced in the State Department media note of
 * 5 July 2017 (../shared/seed/press-release-2017-07-05.txt), with the two earlier meetings it names.
 * From the note: the meetings, their dates, places, forums and host, the Small Group's special
 * session with the African Union and the MNJTF, and the assessments of Mosul and Raqqa.
 * Illustrative, not from the note: the member list, the attendance records, which African states
 * were invited (the note says only "a number of African countries"), and the agenda item wording.
 */

/** A fixed ULID per meeting, so running the demo twice changes nothing. */
const demoId = (startsAt: string, n: number): string =>
  `${encodeTime(Date.parse(startsAt), 10)}DEM0000000000${String(n).padStart(3, '0')}`;

export type DemoStep = { key: string; method: 'POST'; url: string; body: Record<string, unknown> };

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

const WASHINGTON = 'Washington, D.C.';
const ENVOY = 'Special Presidential Envoy Brett McGurk';

const workingGroups = [
  ['counter-finance', 'Counter Finance'],
  ['foreign-terrorist-fighters', 'Foreign Terrorist Fighters'],
  ['stabilization-support', 'Stabilization Support'],
  ['communications', 'Communications'],
] as const;

export const demoMeetings = {
  berlin: demoId('2016-11-17T09:00:00+01:00', 1),
  ministerial: demoId('2017-03-22T09:00:00-04:00', 2),
  plenary: demoId('2017-07-12T09:00:00-04:00', 3),
  smallGroup: demoId('2017-07-13T09:00:00-04:00', 4),
  workingGroups: workingGroups.map((_group, i) => demoId('2017-07-11T09:00:00-04:00', 10 + i)),
};

const meeting = (id: string) => `/v1/meetings/${id}`;

const scheduled = (key: string, body: Record<string, unknown>): DemoStep => ({
  key,
  method: 'POST',
  url: '/v1/meetings',
  body,
});
const on = (key: string, id: string, action: string, body: Record<string, unknown> = {}): DemoStep => ({
  key,
  method: 'POST',
  url: `${meeting(id)}/${action}`,
  body,
});

export const demoSteps = (): DemoStep[] => {
  const m = demoMeetings;
  return [
    ...members.map(([memberId, name, kind]): DemoStep => ({
      key: `member-${memberId}`,
      method: 'POST',
      url: '/v1/members',
      body: { memberId, name, kind },
    })),

    scheduled('berlin', {
      meetingId: m.berlin,
      title: "Political Directors' meeting of the Global Coalition to Defeat ISIS",
      forum: 'political-directors',
      startsAt: '2016-11-17T09:00:00+01:00',
      location: 'Berlin, Germany',
    }),
    on('berlin-close', m.berlin, 'close'),

    scheduled('ministerial', {
      meetingId: m.ministerial,
      title: 'Meeting of Coalition foreign ministers',
      forum: 'ministerial',
      startsAt: '2017-03-22T09:00:00-04:00',
      location: WASHINGTON,
      host: 'U.S. Secretary of State',
    }),
    on('ministerial-close', m.ministerial, 'close'),

    ...workingGroups.flatMap(([slug, name], i): DemoStep[] => {
      const id = m.workingGroups[i] ?? '';
      return [
        scheduled(`wg-${slug}`, {
          meetingId: id,
          title: `Working Group on ${name}`,
          forum: `working-group/${slug}`,
          startsAt: '2017-07-11T09:00:00-04:00',
          endsAt: '2017-07-11T17:00:00-04:00',
          location: WASHINGTON,
          host: ENVOY,
          agenda: [
            { itemId: 'assess-campaign', title: 'Assess the campaign' },
            { itemId: 'intensify-pressure', title: `Intensify pressure on ISIS: ${name.toLowerCase()}` },
          ],
        }),
        on(`wg-${slug}-outcome`, id, 'outcomes', {
          outcomeId: demoId('2017-07-11T17:00:00-04:00', 20 + i),
          agendaItemId: 'intensify-pressure',
          kind: 'commitment',
          summary: `Discussed ways to intensify pressure on ISIS in the area of ${name.toLowerCase()}.`,
          occurredOn: '2017-07-11',
        }),
        on(`wg-${slug}-close`, id, 'close'),
      ];
    }),

    scheduled('plenary', {
      meetingId: m.plenary,
      title: 'Full Coalition meeting (72 members)',
      forum: 'plenary',
      startsAt: '2017-07-12T09:00:00-04:00',
      endsAt: '2017-07-12T17:00:00-04:00',
      location: WASHINGTON,
      host: ENVOY,
      agenda: [
        {
          itemId: 'iraq-syria',
          title: 'Accelerating efforts to defeat ISIS in the remaining areas it holds in Iraq and Syria',
        },
        { itemId: 'global-pressure', title: 'Maximising pressure on ISIS branches, affiliates and networks' },
      ],
    }),
    ...members.map(([memberId]): DemoStep =>
      on(`plenary-attendance-${memberId}`, m.plenary, 'attendance', { participantId: memberId, status: 'present' }),
    ),
    on('plenary-mosul', m.plenary, 'outcomes', {
      outcomeId: demoId('2017-07-05T12:00:00-04:00', 30),
      agendaItemId: 'iraq-syria',
      kind: 'assessment',
      theatre: 'mosul',
      stage: 'verge-of-liberation',
      summary: 'Through Coalition support, Mosul is on the verge of liberation by the Iraqi Security Forces.',
      occurredOn: '2017-07-05',
    }),
    on('plenary-raqqa', m.plenary, 'outcomes', {
      outcomeId: demoId('2017-07-05T12:00:00-04:00', 31),
      agendaItemId: 'iraq-syria',
      kind: 'assessment',
      theatre: 'raqqa',
      stage: 'offensive-underway',
      summary: 'The Syrian Democratic Forces have taken the fight against ISIS directly to Raqqa.',
      occurredOn: '2017-07-05',
    }),
    on('plenary-close', m.plenary, 'close'),

    scheduled('small-group', {
      meetingId: m.smallGroup,
      title: 'Coalition Small Group',
      forum: 'small-group',
      startsAt: '2017-07-13T09:00:00-04:00',
      endsAt: '2017-07-13T17:00:00-04:00',
      location: WASHINGTON,
      host: ENVOY,
      agenda: [
        { itemId: 'synthesis', title: "Synthesis of the previous days' meetings" },
        { itemId: 'priorities', title: 'Priorities to build on the progress in Mosul and Raqqa' },
        { itemId: 'lake-chad-basin', title: 'Special session: the ISIS threat in the Lake Chad Basin region' },
      ],
    }),
    on('small-group-au', m.smallGroup, 'observers', {
      observerId: 'african-union',
      name: 'African Union',
      kind: 'organization',
      session: 'lake-chad-basin',
    }),
    on('small-group-mnjtf', m.smallGroup, 'observers', {
      observerId: 'mnjtf',
      name: 'Multi National Joint Task Force',
      kind: 'organization',
      session: 'lake-chad-basin',
    }),
    ...(['niger', 'chad', 'cameroon'] as const).map((state): DemoStep =>
      on(`small-group-${state}`, m.smallGroup, 'observers', {
        observerId: state,
        name: state[0]?.toUpperCase() + state.slice(1),
        kind: 'state',
        session: 'lake-chad-basin',
      }),
    ),
    ...(['african-union', 'mnjtf', 'niger', 'chad', 'cameroon', 'nigeria', 'united-states', 'france'] as const).map(
      (p): DemoStep =>
        on(`small-group-attendance-${p}`, m.smallGroup, 'attendance', { participantId: p, status: 'present' }),
    ),
    on('small-group-priorities', m.smallGroup, 'outcomes', {
      outcomeId: demoId('2017-07-13T17:00:00-04:00', 40),
      agendaItemId: 'priorities',
      kind: 'decision',
      summary: 'Build on the progress in Mosul and Raqqa to set ISIS on an irreversible and lasting path to defeat.',
    }),
    on('small-group-stabilization', m.smallGroup, 'outcomes', {
      outcomeId: demoId('2017-07-13T17:00:00-04:00', 41),
      agendaItemId: 'priorities',
      kind: 'commitment',
      summary:
        'As ISIS is defeated on the battlefield, increase stabilization efforts to facilitate the voluntary return home of the displaced.',
    }),
    on('small-group-lake-chad', m.smallGroup, 'outcomes', {
      outcomeId: demoId('2017-07-13T17:00:00-04:00', 42),
      agendaItemId: 'lake-chad-basin',
      kind: 'assessment',
      theatre: 'lake-chad-basin',
      stage: 'contested',
      summary:
        'Special session with African states, the African Union and the MNJTF on the ISIS threat in the Lake Chad Basin region in West Africa.',
    }),
    on('small-group-close', m.smallGroup, 'close'),
  ];
};
