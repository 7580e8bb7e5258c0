import { MeetingNotFound } from '../domain/errors.js';
import { meetingStream, memberStream, type LedgerEvent } from '../domain/events.js';
import { defaultLimits, type commandInputs, type Limits, type MeetingCommand } from '../domain/meeting/commands.js';
import { enforceMeetingLimits } from '../domain/meeting/limits.js';
import { decideMeeting } from '../domain/meeting/decide.js';
import type { MeetingEvent } from '../domain/meeting/events.js';
import { evolveMeeting, initialMeeting, type Meeting } from '../domain/meeting/meeting.js';
import { MEETING_SNAPSHOT_VERSION, meetingFromJson, meetingToJson } from '../domain/meeting/meetingSnapshot.js';
import { meetingView } from '../domain/meeting/meetingView.js';
import type { MemberCommand } from '../domain/member/commands.js';
import { decideMember, evolveMember, initialMember, type Member } from '../domain/member/member.js';
import type { z } from 'zod';
import type { AppendResult } from '../eventStore/eventStore.js';
import type { CommandContext, CommandHandler, CommandOutcome, Decider } from './commandHandler.js';
import { newId } from './ids.js';

type Inputs = typeof commandInputs;
type MeetingInput<K extends keyof Inputs> = { type: K; meetingId: string; data: z.infer<Inputs[K]> };

/** A command as the secretariat sends it: ids may be missing, nothing is looked up yet. */
export type CommandRequest =
  | MemberCommand
  | { type: 'ScheduleMeeting'; data: z.infer<Inputs['ScheduleMeeting']> }
  | MeetingInput<'RescheduleMeeting'>
  | MeetingInput<'CancelMeeting'>
  | MeetingInput<'AddAgendaItem'>
  | MeetingInput<'InviteObserver'>
  | MeetingInput<'RecordAttendance'>
  | MeetingInput<'RecordOutcome'>
  | MeetingInput<'CloseMeeting'>
  | (MeetingInput<'AmendOutcome'> & { outcomeId: string })
  | (MeetingInput<'RetractOutcome'> & { outcomeId: string });

/** What the HTTP layer needs from the write side; a no-op implementation measures the HTTP ceiling. */
export interface CommandBus {
  execute(request: CommandRequest, context: CommandContext): Promise<CommandOutcome>;
}

export const meetingDecider: Decider<MeetingCommand, MeetingEvent, Meeting> = {
  initialState: initialMeeting,
  evolve: evolveMeeting,
  decide: decideMeeting,
  snapshot: { version: MEETING_SNAPSHOT_VERSION, toJson: meetingToJson, fromJson: meetingFromJson },
};

/** The meeting decider with the configured counts a meeting may reach, checked on what decide would add. */
export const meetingDeciderWith = (limits: Limits): Decider<MeetingCommand, MeetingEvent, Meeting> => ({
  ...meetingDecider,
  decide: (command, state) => {
    const events = meetingDecider.decide(command, state);
    enforceMeetingLimits(events, state, limits);
    return events;
  },
});

export const memberDecider: Decider<MemberCommand, LedgerEvent & { type: 'MemberAdmitted' }, Member> = {
  initialState: initialMember,
  evolve: evolveMember,
  decide: decideMember,
};

const accepted =
  (status: number, ids: Record<string, string>) => (result: AppendResult, events: readonly LedgerEvent[]) => ({
    status,
    body: {
      ...ids,
      revision: result.nextExpectedRevision,
      position: result.position,
      events: events.map((e) => e.type),
    },
  });

/** Turns requests into decided commands: assigns the ids a client left out and looks up cross-stream facts. */
export class LedgerCommands implements CommandBus {
  private readonly meetings: Decider<MeetingCommand, MeetingEvent, Meeting>;

  constructor(
    private readonly handler: CommandHandler,
    private readonly generateId: () => string = newId,
    limits: Limits = defaultLimits,
  ) {
    this.meetings = meetingDeciderWith(limits);
  }

  async execute(request: CommandRequest, context: CommandContext): Promise<CommandOutcome> {
    switch (request.type) {
      case 'AdmitMember':
        return this.handler.handle(
          memberStream(request.data.memberId),
          memberDecider,
          request,
          context,
          (result, events) =>
            accepted(events.length > 0 ? 201 : 200, { memberId: request.data.memberId })(result, events),
        );
      case 'ScheduleMeeting': {
        const meetingId = request.data.meetingId ?? this.generateId();
        const agenda = (request.data.agenda ?? []).map((item) => ({
          itemId: item.itemId ?? this.newItemId(),
          title: item.title,
        }));
        const command: MeetingCommand = {
          type: 'ScheduleMeeting',
          meetingId,
          data: { ...request.data, meetingId, agenda },
        };
        return this.onMeeting(command, context, accepted(201, { meetingId }));
      }
      case 'AddAgendaItem': {
        const itemId = request.data.itemId ?? this.newItemId();
        const command: MeetingCommand = { ...request, data: { itemId, title: request.data.title } };
        return this.onMeeting(command, context, accepted(200, { meetingId: request.meetingId, itemId }));
      }
      case 'RecordOutcome': {
        const outcomeId = request.data.outcomeId ?? this.generateId();
        const command: MeetingCommand = { ...request, data: { ...request.data, outcomeId } };
        return this.onMeeting(command, context, accepted(200, { meetingId: request.meetingId, outcomeId }));
      }
      case 'RecordAttendance': {
        // Admission is never revoked, so the fact can be looked up once, outside the retry loop.
        const memberAdmitted = await this.handler.read(
          memberStream(request.data.participantId),
          memberDecider,
          ({ state }) => state.status === 'admitted',
        );
        const command: MeetingCommand = { ...request, data: { ...request.data, memberAdmitted } };
        return this.onMeeting(command, context, accepted(200, { meetingId: request.meetingId }));
      }
      case 'AmendOutcome': {
        const { meetingId, outcomeId } = request;
        const command: MeetingCommand = { type: request.type, meetingId, data: { ...request.data, outcomeId } };
        return this.onMeeting(command, context, accepted(200, { meetingId, outcomeId }));
      }
      case 'RetractOutcome': {
        const { meetingId, outcomeId } = request;
        const command: MeetingCommand = { type: request.type, meetingId, data: { ...request.data, outcomeId } };
        return this.onMeeting(command, context, accepted(200, { meetingId, outcomeId }));
      }
      case 'RescheduleMeeting':
      case 'CancelMeeting':
      case 'InviteObserver':
      case 'CloseMeeting':
        return this.onMeeting(request, context, accepted(200, { meetingId: request.meetingId }));
    }
  }

  private onMeeting(command: MeetingCommand, context: CommandContext, describe: ReturnType<typeof accepted>) {
    return this.handler.handle(meetingStream(command.meetingId), this.meetings, command, context, describe);
  }

  private newItemId(): string {
    return `item-${this.generateId().toLowerCase()}`;
  }
}

/** The read side of a single meeting: its state folded from its own stream, as callers see it. */
export const loadMeeting = (handler: CommandHandler, meetingId: string) =>
  handler.read(meetingStream(meetingId), meetingDecider, ({ state, revision }) => {
    if (state.status === 'none') throw new MeetingNotFound(meetingId);
    return { meeting: meetingView(state), revision };
  });
