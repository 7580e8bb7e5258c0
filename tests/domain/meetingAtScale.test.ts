import { describe, expect, it } from 'vitest';
import type { MeetingEvent, MeetingEventOf } from '../../src/domain/meeting/events.js';
import { evolveMeeting, initialMeeting, RECENT_CORRECTIONS, type Meeting } from '../../src/domain/meeting/meeting.js';
import { meetingView } from '../../src/domain/meeting/meetingView.js';
import {
  africanUnionInvited,
  attendance,
  meetingId,
  meetingScheduled,
  mosulOnTheVerge,
  mosulOutcomeId,
} from './smallGroupMeeting.js';

// Issue 10: a meeting lives as long as the ledger. Folding one more event must cost the same on
// the ten-thousandth amendment as on the first, so evolve changes the state in place and keeps only
// the latest corrections of an outcome; the full record stays in the meeting's events.

const amendment = (n: number): MeetingEventOf<'OutcomeAmended'> => ({
  type: 'OutcomeAmended',
  data: {
    meetingId,
    outcomeId: mosulOutcomeId,
    summary: `Mosul, reading ${n}`,
    stage: 'verge-of-liberation',
    theatre: 'mosul',
    reason: `Correction ${n}`,
    previous: {
      summary: n === 1 ? mosulOnTheVerge.data.summary : `Mosul, reading ${n - 1}`,
      stage: 'verge-of-liberation',
      theatre: 'mosul',
    },
  },
});
const amendments = (count: number) => Array.from({ length: count }, (_, i) => amendment(i + 1));

const fold = (events: MeetingEvent[]): Meeting => events.reduce(evolveMeeting, initialMeeting());
const viewOf = (meeting: Meeting) => {
  if (meeting.status === 'none') throw new Error('the meeting was never scheduled');
  return meetingView(meeting);
};
const mosulIn = (meeting: Meeting) => viewOf(meeting).outcomes.find((o) => o.outcomeId === mosulOutcomeId);

describe('an amendment folded into a meeting', () => {
  it('changes the meeting in place and returns the same state object', () => {
    const meeting = fold([meetingScheduled, mosulOnTheVerge]);
    expect(evolveMeeting(meeting, amendment(1))).toBe(meeting);
    expect(mosulIn(meeting)?.summary).toBe('Mosul, reading 1');
  });

  it('counts every correction and keeps only the latest ten, oldest first', () => {
    const meeting = fold([meetingScheduled, mosulOnTheVerge, ...amendments(25)]);
    const mosul = mosulIn(meeting);
    expect(RECENT_CORRECTIONS).toBe(10);
    expect(mosul?.corrections).toBe(25);
    expect(mosul?.history.map((c) => c.reason)).toEqual(
      amendments(25)
        .slice(-10)
        .map((a) => a.data.reason),
    );
    expect(mosul?.summary).toBe('Mosul, reading 25');
  });

  it('counts a retraction among the corrections, as the latest one', () => {
    const retracted: MeetingEvent = {
      type: 'OutcomeRetracted',
      data: { meetingId, outcomeId: mosulOutcomeId, reason: 'Withdrawn' },
    };
    const mosul = mosulIn(fold([meetingScheduled, mosulOnTheVerge, ...amendments(12), retracted]));
    expect(mosul).toMatchObject({ status: 'retracted', corrections: 13 });
    expect(mosul?.history).toHaveLength(10);
    expect(mosul?.history.at(-1)).toEqual({ kind: 'retracted', reason: 'Withdrawn' });
  });

  it('leaves the events it folded untouched', () => {
    const recorded = structuredClone(mosulOnTheVerge);
    fold([meetingScheduled, mosulOnTheVerge, ...amendments(3)]);
    expect(mosulOnTheVerge).toEqual(recorded);
  });

  it('does not change a view taken before it', () => {
    const meeting = fold([meetingScheduled, mosulOnTheVerge, amendment(1)]);
    const before = viewOf(meeting);
    evolveMeeting(meeting, amendment(2));
    expect(before.outcomes[0]).toMatchObject({ summary: 'Mosul, reading 1', corrections: 1 });
    expect(before.outcomes[0]?.history).toHaveLength(1);
  });
});

describe('the meeting view', () => {
  it('lists a participant recorded again after the others, once', () => {
    const meeting = fold([
      meetingScheduled,
      africanUnionInvited,
      attendance('iraq', 'member', 'absent'),
      attendance('african-union', 'observer', 'present'),
      attendance('iraq', 'member', 'present'),
    ]);
    expect(viewOf(meeting).attendance).toEqual([
      { participantId: 'african-union', role: 'observer', status: 'present' },
      { participantId: 'iraq', role: 'member', status: 'present' },
    ]);
  });
});
