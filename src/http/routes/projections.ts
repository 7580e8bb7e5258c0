import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { calendarDate, forumSlug, instant, slug } from '../../domain/shared/values.js';
import type { EventStore } from '../../eventStore/eventStore.js';
import { queryAgenda } from '../../projections/agenda.js';
import { queryAttendance } from '../../projections/attendance.js';
import type { ProjectionEngine } from '../../projections/projectionEngine.js';
import { queryTimeline } from '../../projections/timeline.js';
import { ALL_READERS, STREAM_READERS } from '../access.js';
import { agendaCsv, attendanceCsv, timelineCsv } from '../formats/csv.js';
import { agendaIcs } from '../formats/ics.js';
import { projectionReadQuery, projectionView } from '../projectionReads.js';

const agendaQuery = z.strictObject({
  from: instant.optional().describe('Meetings starting at or after this instant; defaults to now'),
  to: instant.optional().describe('Meetings starting before this instant'),
  forum: forumSlug.optional(),
  status: z.enum(['scheduled', 'rescheduled', 'cancelled', 'closed']).optional(),
  ...projectionReadQuery,
});

const attendanceQuery = z.strictObject({
  participantId: slug.optional(),
  from: instant.optional(),
  to: instant.optional(),
  ...projectionReadQuery,
});

const timelineQuery = z.strictObject({
  theatre: slug.optional(),
  from: calendarDate.optional().describe('Entries dated on or after this day'),
  to: calendarDate.optional().describe('Entries dated before this day'),
  ...projectionReadQuery,
});

/** `Accept: text/csv` asks for the rows as CSV (RFC 4180) instead of JSON. */
const wantsCsv = (request: FastifyRequest): boolean => /\btext\/csv\b/i.test(request.headers.accept ?? '');

const sendCsv = (reply: FastifyReply, csv: string) => reply.type('text/csv; charset=utf-8; header=present').send(csv);

/** The read models: thin routes over the projection engine, each answering with the position it reflects. */
export const projectionRoutes =
  (engine: ProjectionEngine, store: EventStore): FastifyPluginAsyncZod =>
  async (app) => {
    const { agenda, attendance, timeline } = engine.runners;

    app.get(
      '/v1/agenda',
      {
        config: { access: ALL_READERS },
        schema: { tags: ['projections'], summary: 'Meetings by start time', querystring: agendaQuery },
      },
      async (request, reply) => {
        const view = await projectionView(agenda, store, request, reply, request.query);
        if (!view) return reply;
        const { from = new Date().toISOString(), ...filters } = request.query;
        const meetings = queryAgenda(view.state, { ...filters, from });
        if (wantsCsv(request)) return sendCsv(reply, agendaCsv(meetings));
        return { position: view.position, meetings };
      },
    );

    app.get(
      '/v1/attendance',
      {
        config: { access: ALL_READERS },
        schema: { tags: ['projections'], summary: 'Attendance history per participant', querystring: attendanceQuery },
      },
      async (request, reply) => {
        const view = await projectionView(attendance, store, request, reply, request.query);
        if (!view) return reply;
        const participants = queryAttendance(view.state, request.query);
        if (wantsCsv(request)) return sendCsv(reply, attendanceCsv(participants));
        return { position: view.position, participants };
      },
    );

    app.get(
      '/v1/timeline',
      {
        config: { access: ALL_READERS },
        schema: { tags: ['projections'], summary: 'Progress per theatre by business date', querystring: timelineQuery },
      },
      async (request, reply) => {
        const view = await projectionView(timeline, store, request, reply, request.query);
        if (!view) return reply;
        const answer = queryTimeline(view.state, request.query);
        if (wantsCsv(request)) return sendCsv(reply, timelineCsv(answer.entries));
        return { position: view.position, ...answer };
      },
    );

    app.get(
      '/v1/agenda.ics',
      {
        config: { access: ALL_READERS },
        schema: {
          tags: ['projections'],
          summary: 'The agenda as an iCalendar (RFC 5545) file',
          querystring: agendaQuery,
        },
      },
      async (request, reply) => {
        const view = await projectionView(agenda, store, request, reply, request.query);
        if (!view) return reply;
        const { from = new Date().toISOString(), ...filters } = request.query;
        const calendar = agendaIcs(queryAgenda(view.state, { ...filters, from }), {
          productId: '-//meeting-ledger//agenda//EN',
          stampFor: (meeting) => meeting.updatedAt,
        });
        return reply.type('text/calendar; charset=utf-8').send(calendar);
      },
    );

    app.get(
      '/v1/projections',
      {
        config: { access: STREAM_READERS },
        schema: { tags: ['projections'], summary: 'Where each projection stands: position, lag, status' },
      },
      async () => ({ projections: await engine.report(new Date()) }),
    );
  };
