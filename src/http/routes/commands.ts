import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CommandBus, CommandRequest } from '../../application/ledgerCommands.js';
import { defaultLimits, meetingCommandInputs, type Limits } from '../../domain/meeting/commands.js';
import { admitMemberInputWith } from '../../domain/member/commands.js';
import { WRITERS } from '../access.js';
import { meetingParams, outcomeParams } from '../params.js';
import { commandContext } from '../commandContext.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CommandOutcome } from '../../application/commandHandler.js';

export const commandAccepted = z.object({
  meetingId: z.string().optional(),
  memberId: z.string().optional(),
  itemId: z.string().optional(),
  outcomeId: z.string().optional(),
  revision: z.number().int().describe('The stream revision after the command; also sent as ETag'),
  position: z
    .number()
    .int()
    .describe("The global position of the stream's last event; use as minPosition to read your write"),
  events: z.array(z.string()).describe('Types of the events appended; empty when the command changed nothing'),
});

const meetingCommands = [
  ['reschedule', 'RescheduleMeeting', 'Move a meeting to a new time'],
  ['cancel', 'CancelMeeting', 'Cancel a meeting, giving the reason'],
  ['agenda-items', 'AddAgendaItem', 'Add an item to the agenda'],
  ['observers', 'InviteObserver', 'Invite an observer (a state or organisation) to the meeting or one of its sessions'],
  ['attendance', 'RecordAttendance', 'Record whether a member or invited observer attended'],
  ['outcomes', 'RecordOutcome', 'Record a decision, assessment, commitment or milestone'],
  ['close', 'CloseMeeting', 'Close the meeting; it takes no further changes'],
] as const;

const corrections = [
  ['amend', 'AmendOutcome', 'Correct a recorded outcome: a new event that names it, the original stays in the log'],
  ['retract', 'RetractOutcome', 'Retract a recorded outcome, giving the reason; the original stays in the log'],
] as const;

const send = (reply: FastifyReply, outcome: CommandOutcome) => {
  const body = outcome.body as z.infer<typeof commandAccepted>;
  reply.request.eventsAppended = outcome.replayed ? 0 : body.events.length;
  void reply.code(outcome.status).header('ETag', `"${body.revision}"`);
  if (outcome.replayed) void reply.header('Idempotent-Replayed', 'true');
  if (outcome.status === 201 && body.meetingId) void reply.header('Location', `/v1/meetings/${body.meetingId}`);
  return body;
};

const execute = (bus: CommandBus, request: FastifyRequest, command: CommandRequest) =>
  bus.execute(command, commandContext(request));

const commandHeaders = z.object({
  'idempotency-key': z
    .string()
    .optional()
    .describe('Retry safely: the first response is returned again, nothing appended twice'),
  'if-match': z.string().optional().describe('"<revision>" from an ETag: fail with 412 if the meeting has moved on'),
  'x-csrf-token': z
    .string()
    .optional()
    .describe("Only with the web console's session cookie: the session's csrfToken (GET /console/session)"),
});

/** The write side: one POST per command, each a thin shell around the command bus. */
export const commandRoutes =
  (bus: CommandBus, limits: Limits = defaultLimits): FastifyPluginAsyncZod =>
  async (app) => {
    const responses = { 200: commandAccepted, 201: commandAccepted };
    const commandInputs = meetingCommandInputs(limits);

    app.post(
      '/v1/members',
      {
        config: { access: WRITERS, command: 'AdmitMember' },
        schema: {
          tags: ['commands'],
          summary: 'Admit a coalition member',
          body: admitMemberInputWith(limits.name),
          headers: commandHeaders,
          response: responses,
        },
      },
      async (request, reply) => send(reply, await execute(bus, request, { type: 'AdmitMember', data: request.body })),
    );

    app.post(
      '/v1/meetings',
      {
        config: { access: WRITERS, command: 'ScheduleMeeting' },
        schema: {
          tags: ['commands'],
          summary: 'Schedule a meeting',
          body: commandInputs.ScheduleMeeting,
          headers: commandHeaders,
          response: responses,
        },
      },
      async (request, reply) =>
        send(reply, await execute(bus, request, { type: 'ScheduleMeeting', data: request.body })),
    );

    for (const [path, type, summary] of meetingCommands) {
      app.post(
        `/v1/meetings/:id/${path}`,
        {
          config: { access: WRITERS, command: type },
          schema: {
            tags: ['commands'],
            summary,
            params: meetingParams,
            body: commandInputs[type],
            headers: commandHeaders,
            response: responses,
          },
        },
        async (request, reply) =>
          send(
            reply,
            await execute(bus, request, { type, meetingId: request.params.id, data: request.body } as CommandRequest),
          ),
      );
    }

    for (const [path, type, summary] of corrections) {
      app.post(
        `/v1/meetings/:id/outcomes/:outcomeId/${path}`,
        {
          config: { access: WRITERS, command: type },
          schema: {
            tags: ['commands'],
            summary,
            params: outcomeParams,
            body: commandInputs[type],
            headers: commandHeaders,
            response: responses,
          },
        },
        async (request, reply) => {
          const { id: meetingId, outcomeId } = request.params;
          const command = { type, meetingId, outcomeId, data: request.body } as CommandRequest;
          return send(reply, await execute(bus, request, command));
        },
      );
    }
  };
