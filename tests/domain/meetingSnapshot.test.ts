import { describe, expect, it } from 'vitest';
import type { MeetingEvent } from '../../src/domain/meeting/events.js';
import { evolveMeeting, initialMeeting, type Meeting } from '../../src/domain/meeting/meeting.js';
import { meetingFromJson, meetingToJson } from '../../src/domain/meeting/meetingSnapshot.js';
import { meetingView } from '../../src/domain/meeting/meetingView.js';
import {
  africanUnionInvited,
  attendance,
  meetingId,
  meetingScheduled,
  mnjtfInvited,
  mosulOnTheVerge,
  mosulOutcomeId,
} from './smallGroupMeeting.js';

const fold = (events: MeetingEvent[]): Meeting => events.reduce(evolveMeeting, initialMeeting());
const roundTrip = (meeting: Meeting) => meetingFromJson(JSON.parse(JSON.stringify(meetingToJson(meeting))));
const viewOf = (meeting: Meeting) => (meeting.status === 'none' ? meeting : meetingView(meeting));

const meeting = () =>
  fold([
    meetingScheduled,
    africanUnionInvited,
    mnjtfInvited,
    attendance('iraq', 'member', 'absent'),
    attendance('african-union', 'observer', 'present'),
    attendance('iraq', 'member', 'present'),
    mosulOnTheVerge,
    { type: 'OutcomeRetracted', data: { meetingId, outcomeId: mosulOutcomeId, reason: 'Withdrawn' } },
  ]);

describe('a meeting written to JSON and read back', () => {
  it('is the same meeting, its collections in the same order', () => {
    const restored = roundTrip(meeting());
    expect(viewOf(restored)).toEqual(viewOf(meeting()));
    expect(restored.status !== 'none' && [...restored.attendance.keys()]).toEqual(['african-union', 'iraq']);
  });

  it('folds later events as the original would', () => {
    const recorded: MeetingEvent = { type: 'MeetingClosed', data: { meetingId } };
    expect(viewOf(evolveMeeting(roundTrip(meeting()), recorded))).toEqual(viewOf(evolveMeeting(meeting(), recorded)));
  });

  it('reads back a meeting that was never scheduled', () => {
    expect(roundTrip(initialMeeting())).toEqual({ status: 'none' });
  });

  it.each([
    ['null', null],
    ['a number', 3],
    ['no status', {}],
    ['collections that are not entries', { status: 'closed', agenda: {} }],
  ])('refuses %s', (_name, json) => {
    expect(() => meetingFromJson(json)).toThrow(TypeError);
  });
});
