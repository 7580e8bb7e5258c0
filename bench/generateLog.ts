import { encodeTime, ulid } from 'ulid';
import { meetingStream, memberStream, type LedgerEvent } from '../src/domain/events.js';
import { stages } from '../src/domain/meeting/events.js';
import type { EventStore } from '../src/eventStore/eventStore.js';
import { LongMeeting } from './longMeeting.js';
import { RecordedCommands } from './recordedCommands.js';

/**
 * A realistic log for the benches: members admitted once, then meetings with agendas, observers,
 * attendance (some of it corrected), outcomes moving theatres along the ladder, the odd reschedule
 * or cancellation, and closing. About 64 events per meeting. Written as the server writes it (one
 * command per event, the server's metadata, each stream's hash chain), so it also verifies.
 */
const MEMBERS = 72;
const THEATRES = ['mosul', 'raqqa', 'lake-chad-basin', 'tal-afar', 'deir-ez-zor', 'sirte', 'hawija', 'marawi'];
const FORUMS = ['plenary', 'small-group', 'ministerial', 'political-directors', 'working-group/counter-finance'];

const members = Array.from({ length: MEMBERS }, (_, i) => `member-${i}`);

let seed = 42;
const random = (): number => {
  // A fixed-seed LCG: the same log every run, so runs compare.
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
};
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;

const meetingEvents = (index: number, startMs: number): LedgerEvent[] => {
  const meetingId = `${encodeTime(startMs, 10)}BENCH${String(index).padStart(11, '0')}`;
  const startsAt = new Date(startMs).toISOString();
  const endsAt = new Date(startMs + 8 * 3_600_000).toISOString();
  const agenda = Array.from({ length: 4 }, (_, i) => ({
    itemId: `item-${i}`,
    title: `Agenda item ${i} of meeting ${index}`,
  }));
  const events: LedgerEvent[] = [
    {
      type: 'MeetingScheduled',
      data: {
        meetingId,
        title: `Coalition meeting ${index}`,
        forum: pick(FORUMS),
        startsAt,
        endsAt,
        location: 'Washington, D.C.',
        host: null,
        agenda,
      },
    },
  ];
  if (random() < 0.1) {
    const moved = new Date(startMs + 86_400_000).toISOString();
    events.push({
      type: 'MeetingRescheduled',
      data: {
        meetingId,
        startsAt: moved,
        endsAt: null,
        previousStartsAt: startsAt,
        previousEndsAt: endsAt,
        reason: 'Moved by a day',
      },
    });
  }
  events.push({ type: 'AgendaItemAdded', data: { meetingId, itemId: 'special-session', title: 'Special session' } });
  for (let i = 0; i < 4; i += 1) {
    events.push({
      type: 'ObserverInvited',
      data: {
        meetingId,
        observerId: `observer-${Math.floor(random() * 40)}-${i}`,
        name: 'Observer',
        kind: 'organization',
        session: 'special-session',
      },
    });
  }
  if (random() < 0.03) {
    events.push({ type: 'MeetingCancelled', data: { meetingId, reason: 'Postponed' } });
    return events;
  }
  for (let i = 0; i < 40; i += 1) {
    events.push({
      type: 'AttendanceRecorded',
      data: { meetingId, participantId: pick(members), role: 'member', status: random() < 0.85 ? 'present' : 'absent' },
    });
  }
  for (let i = 0; i < 12; i += 1) {
    const theatre = random() < 0.7 ? pick(THEATRES) : null;
    events.push({
      type: 'OutcomeRecorded',
      data: {
        meetingId,
        outcomeId: ulid(startMs, random),
        agendaItemId: pick(agenda).itemId,
        kind: pick(['decision', 'assessment', 'commitment', 'milestone'] as const),
        summary: `Outcome ${i} of meeting ${index}: the coalition assessed progress and agreed next steps.`,
        theatre,
        stage: theatre ? pick(stages) : null,
        occurredOn: null,
      },
    });
  }
  events.push({ type: 'MeetingClosed', data: { meetingId } });
  return events;
};

export type GeneratedLog = { events: number; longMeetingId?: string };

const BATCH = 32;
const EVENTS_PER_MEETING = 64;

/**
 * Appends about `total` events to `store`, a meeting per append, 32 appends in flight (group
 * commit). With `longMeetingEvents`, one more meeting gets that many events besides: opened first,
 * its amendments spread through the log (a share after each batch of meetings), as they would come.
 */
export const generateLog = async (
  store: EventStore,
  total: number,
  { longMeetingEvents = 0 }: { longMeetingEvents?: number } = {},
): Promise<GeneratedLog> => {
  seed = 42;
  const commands = new RecordedCommands(random);
  const t0 = Date.UTC(2014, 8, 1);
  let appended = 0;
  for (const memberId of members) {
    const admitted: LedgerEvent = { type: 'MemberAdmitted', data: { memberId, name: memberId, kind: 'state' } };
    await store.appendToStream(memberStream(memberId), commands.record(memberStream(memberId), [admitted], t0));
    appended += 1;
  }
  const long = longMeetingEvents > 0 ? new LongMeeting(store, commands, t0, longMeetingEvents) : undefined;
  await long?.open();
  const perBatch = Math.ceil((long?.remaining ?? 0) / Math.max(1, Math.ceil(total / (BATCH * EVENTS_PER_MEETING))));
  let index = 0;
  while (appended < total) {
    const batch = Array.from({ length: BATCH }, () => {
      const i = index++;
      const startMs = t0 + i * 3_600_000;
      const events = meetingEvents(i, startMs);
      appended += events.length;
      const stream = meetingStream((events[0]?.data as { meetingId: string }).meetingId);
      const recorded = commands.record(stream, events, startMs);
      commands.forget(stream);
      return store.appendToStream(stream, recorded);
    });
    await Promise.all(batch);
    await long?.amend(perBatch, t0 + index * 3_600_000 - 1_800_000); // between this batch and the next
  }
  await long?.amend(long.remaining, t0 + index * 3_600_000);
  return { events: appended + (long ? longMeetingEvents : 0), ...(long && { longMeetingId: long.meetingId }) };
};
