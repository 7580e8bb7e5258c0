import { encodeTime } from 'ulid';
import { meetingStream, type LedgerEvent } from '../src/domain/events.js';
import type { EventStore } from '../src/eventStore/eventStore.js';
import type { RecordedCommands } from './recordedCommands.js';

/**
 * One long-lived meeting: scheduled, one outcome recorded, then that outcome amended again and
 * again (its summary alternating between two readings, so each amendment changes something, as
 * `decide` demands). It stands for a meeting whose stream grew far past the usual ~64 events.
 */
const READINGS = [
  'Mosul: the coalition assessed the offensive as contested, with supply lines at risk.',
  'Mosul: the coalition assessed the offensive as contested, with supply lines secured.',
] as const;

const longMeetingIdAt = (ms: number): string => `${encodeTime(ms, 10)}BENCHMANY0000000`;
const outcomeIdAt = (ms: number): string => `${encodeTime(ms, 10)}BENCHAMEND000000`;

/** The events that open the long meeting at `ms`: its schedule and the outcome that will be amended. */
const openLongMeeting = (ms: number): LedgerEvent[] => {
  const meetingId = longMeetingIdAt(ms);
  return [
    {
      type: 'MeetingScheduled',
      data: {
        meetingId,
        title: 'Standing working group on the Mosul assessment',
        forum: 'working-group/counter-finance',
        startsAt: new Date(ms).toISOString(),
        endsAt: new Date(ms + 8 * 3_600_000).toISOString(),
        location: 'Washington, D.C.',
        host: null,
        agenda: [{ itemId: 'assessment', title: 'The Mosul assessment' }],
      },
    },
    {
      type: 'OutcomeRecorded',
      data: {
        meetingId,
        outcomeId: outcomeIdAt(ms),
        agendaItemId: 'assessment',
        kind: 'assessment',
        summary: READINGS[0],
        theatre: 'mosul',
        stage: 'contested',
        occurredOn: null,
      },
    },
  ];
};

/** Amendments `from` (1-based) to `from + count - 1` of the long meeting opened at `ms`. */
const amendments = (ms: number, from: number, count: number): LedgerEvent[] =>
  Array.from({ length: count }, (_, i) => {
    const n = from + i;
    const previous = { summary: READINGS[(n - 1) % 2] ?? '', stage: 'contested' as const, theatre: 'mosul' };
    return {
      type: 'OutcomeAmended',
      data: {
        meetingId: longMeetingIdAt(ms),
        outcomeId: outcomeIdAt(ms),
        summary: READINGS[n % 2] ?? '',
        stage: 'contested',
        theatre: 'mosul',
        reason: `Correction ${n} of the minutes`,
        previous,
      },
    };
  });

const AMENDMENTS_PER_APPEND = 1_000;

/** Writes the long meeting of `events` events opened at `ms`: `open()` first, then `amend()` in shares. */
export class LongMeeting {
  readonly meetingId: string;
  private readonly stream: string;
  private amended = 0;
  remaining: number;

  constructor(
    private readonly store: EventStore,
    private readonly commands: RecordedCommands,
    private readonly ms: number,
    events: number,
  ) {
    this.meetingId = longMeetingIdAt(ms);
    this.stream = meetingStream(this.meetingId);
    this.remaining = events;
  }

  async open(): Promise<void> {
    const opening = openLongMeeting(this.ms).slice(0, this.remaining);
    await this.store.appendToStream(this.stream, this.commands.record(this.stream, opening, this.ms));
    this.remaining -= opening.length;
  }

  /** Appends the next `count` amendments (at most what remains), received at `at`, a bounded append at a time. */
  async amend(count: number, at: number): Promise<void> {
    for (let left = Math.min(count, this.remaining); left > 0;) {
      const chunk = Math.min(left, AMENDMENTS_PER_APPEND);
      const events = amendments(this.ms, this.amended + 1, chunk);
      await this.store.appendToStream(this.stream, this.commands.record(this.stream, events, at));
      this.amended += chunk;
      this.remaining -= chunk;
      left -= chunk;
    }
  }
}
