// First: zod must be told before any schema is built (see zodWithoutEval.ts).
import './zodWithoutEval.js';
import { commandInputs } from '../../src/domain/meeting/commands.js';
import { outcomeKinds, stages } from '../../src/domain/meeting/events.js';
import { admitMemberInput } from '../../src/domain/member/commands.js';
import type { Choice, CommandFormSpec, Field } from './formsRender.js';

/** A meeting as GET /v1/meetings/:id shows it: what the forms offer to choose from, and its revision. */
export type MeetingState = {
  meetingId: string;
  title: string;
  status: string;
  startsAt: string;
  revision: number;
  agenda: { itemId: string; title: string }[];
  outcomes: { outcomeId: string; summary: string; status: string }[];
};

const same = (values: readonly string[]): Choice[] => values.map((value) => [value, value]);
const INSTANT_HINT = 'An instant with its offset, e.g. 2017-07-13T09:00:00-04:00';
const SLUG_HINT = 'Lower-case words joined by hyphens, e.g. lake-chad-basin';
const kind: Field = {
  name: 'kind',
  label: 'Kind',
  kind: 'choice',
  choices: same(['state', 'organization']),
  required: true,
};
const reason: Field = { name: 'reason', label: 'Reason', kind: 'long', required: true };

/** The forms that start a stream: a new meeting, a new member. */
export const startingForms = (): CommandFormSpec[] => [
  {
    id: 'schedule',
    legend: 'Schedule a meeting',
    submit: 'Schedule',
    schema: commandInputs.ScheduleMeeting,
    path: () => '/v1/meetings',
    fields: [
      { name: 'title', label: 'Title', required: true },
      {
        name: 'forum',
        label: 'Forum',
        required: true,
        hint: 'A slug, optionally with one sub-level: working-group/communications',
      },
      { name: 'startsAt', label: 'Starts at', required: true, hint: INSTANT_HINT },
      { name: 'endsAt', label: 'Ends at', hint: INSTANT_HINT },
      { name: 'location', label: 'Location', required: true },
      { name: 'host', label: 'Host' },
      { name: 'agenda', label: 'Agenda items', kind: 'lines', hint: 'One item a line' },
    ],
  },
  {
    id: 'admit',
    legend: 'Admit a member',
    submit: 'Admit',
    schema: admitMemberInput,
    path: () => '/v1/members',
    fields: [
      { name: 'memberId', label: 'Member id', required: true, hint: SLUG_HINT },
      { name: 'name', label: 'Name', required: true },
      kind,
    ],
  },
];

/** The forms that change one meeting, each sent with If-Match: the revision they were drawn from. */
export const meetingForms = (meeting: MeetingState): CommandFormSpec[] => {
  const at = (path: string) => () => `/v1/meetings/${meeting.meetingId}${path}`;
  const onMeeting = { revision: meeting.revision };
  const items: Choice[] = meeting.agenda.map((item) => [item.itemId, item.title]);
  const standing: Choice[] = meeting.outcomes
    .filter((outcome) => outcome.status === 'standing')
    .map((outcome) => [
      outcome.outcomeId,
      outcome.summary.length > 80 ? `${outcome.summary.slice(0, 79)}…` : outcome.summary,
    ]);
  const outcome: Field = {
    name: 'outcomeId',
    label: 'Outcome',
    kind: 'choice',
    choices: standing,
    required: true,
    inPath: true,
  };
  const correction = (path: string) => (values: Record<string, string>) =>
    `/v1/meetings/${meeting.meetingId}/outcomes/${values.outcomeId ?? ''}/${path}`;
  return [
    {
      ...onMeeting,
      id: 'reschedule',
      legend: 'Reschedule',
      submit: 'Reschedule',
      schema: commandInputs.RescheduleMeeting,
      path: at('/reschedule'),
      fields: [
        { name: 'startsAt', label: 'New start', required: true, hint: INSTANT_HINT },
        { name: 'endsAt', label: 'New end', hint: `${INSTANT_HINT}; left out, the meeting keeps its length` },
        { name: 'reason', label: 'Reason', kind: 'long' },
      ],
    },
    {
      ...onMeeting,
      id: 'cancel',
      legend: 'Cancel',
      submit: 'Cancel the meeting',
      schema: commandInputs.CancelMeeting,
      path: at('/cancel'),
      fields: [reason],
    },
    {
      ...onMeeting,
      id: 'add-item',
      legend: 'Add an agenda item',
      submit: 'Add the item',
      schema: commandInputs.AddAgendaItem,
      path: at('/agenda-items'),
      fields: [
        { name: 'title', label: 'Title', required: true },
        { name: 'itemId', label: 'Item id', hint: `${SLUG_HINT}; left out, the ledger assigns one` },
      ],
    },
    {
      ...onMeeting,
      id: 'invite',
      legend: 'Invite an observer',
      submit: 'Invite',
      schema: commandInputs.InviteObserver,
      path: at('/observers'),
      fields: [
        { name: 'observerId', label: 'Observer id', required: true, hint: SLUG_HINT },
        { name: 'name', label: 'Name', required: true },
        kind,
        { name: 'session', label: 'Session', kind: 'choice', choices: items, hint: 'Left out: the whole meeting' },
      ],
    },
    {
      ...onMeeting,
      id: 'attendance',
      legend: 'Record attendance',
      submit: 'Record attendance',
      schema: commandInputs.RecordAttendance,
      path: at('/attendance'),
      fields: [
        {
          name: 'participantId',
          label: 'Participant id',
          required: true,
          hint: 'An admitted member or an invited observer',
        },
        { name: 'status', label: 'Status', kind: 'choice', choices: same(['present', 'absent']), required: true },
      ],
    },
    {
      ...onMeeting,
      id: 'outcome',
      legend: 'Record an outcome',
      submit: 'Record the outcome',
      schema: commandInputs.RecordOutcome,
      path: at('/outcomes'),
      fields: [
        { name: 'kind', label: 'Kind', kind: 'choice', choices: same(outcomeKinds), required: true },
        { name: 'summary', label: 'Summary', kind: 'long', required: true },
        { name: 'agendaItemId', label: 'Agenda item', kind: 'choice', choices: items },
        { name: 'theatre', label: 'Theatre', hint: SLUG_HINT },
        { name: 'stage', label: 'Stage', kind: 'choice', choices: same(stages), hint: 'Needs a theatre' },
        { name: 'occurredOn', label: 'Occurred on', kind: 'date', hint: 'The business date it happened on' },
      ],
    },
    {
      ...onMeeting,
      id: 'amend',
      legend: 'Amend an outcome',
      submit: 'Amend',
      schema: commandInputs.AmendOutcome,
      path: correction('amend'),
      fields: [
        outcome,
        { name: 'summary', label: 'New summary', kind: 'long' },
        { name: 'stage', label: 'New stage', kind: 'choice', choices: same(stages) },
        { name: 'theatre', label: 'New theatre', hint: SLUG_HINT },
        reason,
      ],
    },
    {
      ...onMeeting,
      id: 'retract',
      legend: 'Retract an outcome',
      submit: 'Retract',
      schema: commandInputs.RetractOutcome,
      path: correction('retract'),
      fields: [outcome, reason],
    },
    {
      ...onMeeting,
      id: 'close',
      legend: 'Close the meeting',
      submit: 'Close the meeting',
      schema: commandInputs.CloseMeeting,
      path: at('/close'),
      fields: [],
    },
  ];
};
