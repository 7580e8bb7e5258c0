import { encodeTime } from 'ulid';

/**
 * The demo ledger: what the State Department media note of 5 July 2017
 * (../shared/seed/press-release-2017-07-05.txt) says, as it says it, and nothing more:
 * - the meetings it announces for 11, 12 and 13 July 2017, as scheduled (not held, not closed), with
 *   the host it names and their agendas in its words;
 * - the observers it names for the Small Group's special session (the African Union and the MNJTF;
 *   the "number of African countries" it does not name are not invented);
 * - its assessments of Mosul and Raqqa, dated 5 July, in its words, on the Small Group's agenda item
 *   that names them (they are the context of the announcement, not outcomes of a meeting held);
 * - the two earlier meetings it names (Berlin, 17 November 2016; Washington, 22 March 2017).
 * The note gives days, not times. The schema needs an instant: each meeting starts at 12:00 local
 * time on its day (a placeholder meaning "that day", which keeps its UTC date its local date) and
 * has no end. Invented data to try the other features is in illustrativeData.ts, behind --illustrative.
 */

/** A fixed ULID per meeting or outcome, so running the demo twice changes nothing. */
export const demoId = (startsAt: string, n: number): string =>
  `${encodeTime(Date.parse(startsAt), 10)}DEM0000000000${String(n).padStart(3, '0')}`;

export type DemoStep = { key: string; method: 'POST'; url: string; body: Record<string, unknown> };

/** 12:00 local time on the day the note names: the demo's documented placeholder for a time it does not give. */
const onTheDay = (day: string, offset: string) => `${day}T12:00:00${offset}`;
const WASHINGTON_SUMMER = '-04:00';
const WASHINGTON = 'Washington, D.C.';
const ENVOY = 'Special Presidential Envoy for the Global Coalition to Defeat ISIS Brett McGurk';

export const workingGroups = [
  ['counter-finance', 'Counter Finance'],
  ['foreign-terrorist-fighters', 'Foreign Terrorist Fighters'],
  ['stabilization-support', 'Stabilization Support'],
  ['communications', 'Communications'],
] as const;

export const demoDays = {
  berlin: onTheDay('2016-11-17', '+01:00'),
  ministerial: onTheDay('2017-03-22', WASHINGTON_SUMMER),
  workingGroups: onTheDay('2017-07-11', WASHINGTON_SUMMER),
  plenary: onTheDay('2017-07-12', WASHINGTON_SUMMER),
  smallGroup: onTheDay('2017-07-13', WASHINGTON_SUMMER),
  note: onTheDay('2017-07-05', WASHINGTON_SUMMER),
};

export const demoMeetings = {
  berlin: demoId(demoDays.berlin, 1),
  ministerial: demoId(demoDays.ministerial, 2),
  plenary: demoId(demoDays.plenary, 3),
  smallGroup: demoId(demoDays.smallGroup, 4),
  workingGroups: workingGroups.map((_group, i) => demoId(demoDays.workingGroups, 10 + i)),
};

const scheduled = (key: string, body: Record<string, unknown>): DemoStep => ({
  key,
  method: 'POST',
  url: '/v1/meetings',
  body,
});
export const on = (key: string, id: string, action: string, body: Record<string, unknown> = {}): DemoStep => ({
  key,
  method: 'POST',
  url: `/v1/meetings/${id}/${action}`,
  body,
});

const earlierMeetings = (): DemoStep[] => [
  scheduled('berlin', {
    meetingId: demoMeetings.berlin,
    title: "Meeting of the Coalition's political directors",
    forum: 'political-directors',
    startsAt: demoDays.berlin,
    location: 'Berlin, Germany',
  }),
  scheduled('ministerial', {
    meetingId: demoMeetings.ministerial,
    title: 'Meeting of Coalition foreign ministers',
    forum: 'ministerial',
    startsAt: demoDays.ministerial,
    location: WASHINGTON,
    host: 'the Secretary of State',
  }),
];

const weekOfJuly = (): DemoStep[] => [
  ...workingGroups.map(([slug, name], i) =>
    scheduled(`wg-${slug}`, {
      meetingId: demoMeetings.workingGroups[i],
      title: `Working Group on ${name}`,
      forum: `working-group/${slug}`,
      startsAt: demoDays.workingGroups,
      location: WASHINGTON,
      host: ENVOY,
      agenda: [
        { itemId: 'assess-campaign', title: 'Assess the campaign' },
        { itemId: 'intensify-pressure', title: `Discuss ways to intensify pressure on ISIS in ${name}` },
      ],
    }),
  ),
  scheduled('plenary', {
    meetingId: demoMeetings.plenary,
    title: 'Full Coalition meeting (72 members)',
    forum: 'plenary',
    startsAt: demoDays.plenary,
    location: WASHINGTON,
    host: ENVOY,
    agenda: [
      {
        itemId: 'iraq-syria',
        title: 'How to accelerate Coalition efforts to defeat ISIS in the remaining areas it holds in Iraq and Syria',
      },
      { itemId: 'global-pressure', title: 'Maximize pressure globally on its branches, affiliates, and networks' },
    ],
  }),
  scheduled('small-group', {
    meetingId: demoMeetings.smallGroup,
    title: 'Coalition Small Group',
    forum: 'small-group',
    startsAt: demoDays.smallGroup,
    location: WASHINGTON,
    host: ENVOY,
    agenda: [
      { itemId: 'synthesis', title: "Synthesize the previous days' meetings" },
      {
        itemId: 'priorities',
        title:
          'Priorities to build on the progress in Mosul and Raqqa to set ISIS on an irreversible and lasting path to defeat',
      },
      {
        itemId: 'lake-chad-basin',
        title: 'Special session: the ISIS threat in the Lake Chad Basin region in West Africa',
      },
    ],
  }),
  on('small-group-au', demoMeetings.smallGroup, 'observers', {
    observerId: 'african-union',
    name: 'African Union',
    kind: 'organization',
    session: 'lake-chad-basin',
  }),
  on('small-group-mnjtf', demoMeetings.smallGroup, 'observers', {
    observerId: 'mnjtf',
    name: 'Multi National Joint Task Force',
    kind: 'organization',
    session: 'lake-chad-basin',
  }),
];

/** The note's own assessments, as of the day it was issued, in its words. */
const assessmentsOfTheNote = (): DemoStep[] =>
  (
    [
      [
        'mosul',
        30,
        'verge-of-liberation',
        'Through Coalition support, Mosul is on the verge of liberation by the Iraqi Security Forces',
      ],
      [
        'raqqa',
        31,
        'offensive-underway',
        'the Syrian Democratic Forces have taken the fight against ISIS directly to Raqqa',
      ],
    ] as const
  ).map(([theatre, n, stage, words]) =>
    on(`note-${theatre}`, demoMeetings.smallGroup, 'outcomes', {
      outcomeId: demoId(demoDays.note, n),
      agendaItemId: 'priorities',
      kind: 'assessment',
      theatre,
      stage,
      summary: `The media note of 5 July 2017 announcing this meeting: "${words}".`,
      occurredOn: '2017-07-05',
    }),
  );

/** What the note says, and only that: the default demo. */
export const demoSteps = (): DemoStep[] => [...earlierMeetings(), ...weekOfJuly(), ...assessmentsOfTheNote()];
