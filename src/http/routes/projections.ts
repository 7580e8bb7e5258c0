import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { calendarDate, forumSlug, instant, slug } from '../../domain/shared/values.js';
import type { EventStore } from '../../eventStore/eventStore.js';
import { yieldToEventLoop } from '../../eventStore/fairTurns.js';
import { AgendaReader } from '../../projections/agenda/agendaQueries.js';
import { AttendanceReader } from '../../projections/attendance/attendanceQueries.js';
import type { ProjectionEngine } from '../../projections/projectionEngine.js';
import { TimelineReader } from '../../projections/timeline/timelineQueries.js';
import { ALL_READERS, AUDITORS } from '../access.js';
import { agendaCsvExport, agendaIcsExport, attendanceCsvExport, timelineCsvExport } from '../projectionExports.js';
import { PageCursors } from '../pageCursors.js';
import { ProjectionReads, projectionReadQuery, type View } from '../projectionReads.js';
import { ConcurrencyGate, type GateLimits } from '../concurrencyGate.js';
import { csvFormat, csvQuery, sendCsv, sendIcs, wantsCsv } from '../exportReplies.js';
import { HttpProblem } from '../problem.js';
import { meetingsBy, timelineOn } from '../../projections/businessDate.js';

/** The view's notice (an asOf before the first event), as a field of a JSON answer. */
const noticeOf = (view: View) => (view.notice === undefined ? {} : { notice: view.notice });

/** How far back the agenda reaches without `from`: the meetings just held as well as every one to come. */
export const AGENDA_RECENT_DAYS = 30;

/**
 * The agenda's `from` when none is given: 30 days ago, fixed by the first page so later pages do not
 * drop what started meanwhile; with `at` (a business date) the beginning, as the question is about the past.
 */
const defaultAgendaFrom = (at: string | undefined): string =>
  at === undefined ? new Date(Date.now() - AGENDA_RECENT_DAYS * 86_400_000).toISOString() : '';

const agendaKey = z.strictObject({ startsAt: z.string(), meetingId: z.string() });
const entryKey = z.strictObject({ date: z.string(), position: z.number() });

/** The read models: thin routes over the projections' readers, each answering with the position it reflects. */
export type ProjectionRouteOptions = {
  pageSize?: number;
  exports?: GateLimits;
  /** Signs page cursors (see PageCursors); random when absent, so cursors then last one process. */
  cursorKey?: Buffer;
};

export const projectionRoutes =
  (engine: ProjectionEngine, store: EventStore, options: ProjectionRouteOptions = {}): FastifyPluginAsyncZod =>
  async (app) => {
    const { pageSize = 1000, exports: exportLimits = { perCaller: 2, total: 8 } } = options;
    const views = new ProjectionReads(engine, store, new PageCursors(options.cursorKey));
    // An export reads a whole projection, however long its client takes: bounded like live streams.
    const exportsGate = new ConcurrencyGate('exports', exportLimits);
    const exporting = (request: FastifyRequest) => exportsGate.enter(request.principal?.actor ?? request.ip);
    const db = engine.database.reader;
    const agenda = new AgendaReader(db);
    const attendance = new AttendanceReader(db);
    const timeline = new TimelineReader(db);
    const reads = projectionReadQuery(pageSize);

    const businessDate = calendarDate
      .optional()
      .describe('A business date: the answer as it stood on that day of the meetings (see the README), not asOf');
    const agendaFilters = {
      from: instant
        .optional()
        .describe(
          `Meetings starting at or after this instant; defaults to ${AGENDA_RECENT_DAYS} days ago (recent and upcoming meetings), or to the beginning with \`at\``,
        ),
      at: businessDate.describe('Only meetings that started on or before this day (UTC), as they are recorded now'),
      to: instant.optional().describe('Meetings starting before this instant'),
      forum: forumSlug.optional(),
      status: z.enum(['scheduled', 'rescheduled', 'cancelled', 'closed']).optional(),
      ...reads,
    };
    const agendaQuery = z.strictObject({ ...agendaFilters, ...csvQuery });
    const attendanceFilters = {
      from: instant.optional().describe('Meetings starting at or after this instant'),
      to: instant.optional().describe('Meetings starting before this instant'),
      ...reads,
      ...csvQuery,
    };
    const attendanceQuery = z.strictObject({ participantId: slug.optional(), ...attendanceFilters });
    const timelineQuery = z.strictObject({
      theatre: slug.optional(),
      at: businessDate.describe('Only entries dated on or before this day, each theatre at its stage of that day'),
      from: calendarDate.optional().describe('Entries dated on or after this day'),
      to: calendarDate.optional().describe('Entries dated before this day'),
      ...reads,
      ...csvQuery,
    });
    const tags = ['projections'];

    app.get(
      '/v1/agenda',
      {
        config: { access: ALL_READERS },
        schema: { tags, summary: 'Meetings by start time, a page at a time', querystring: agendaQuery },
      },
      async (request, reply) => {
        const csv = wantsCsv(request);
        const now = defaultAgendaFrom(request.query.at);
        const { limit, bom, at, ...filters } = request.query;
        const view = await views.view('agenda', request, reply, request.query, {
          format: csv ? csvFormat(bom) : 'json',
          variant: filters.from ?? now,
        });
        if (!view) return reply;
        const query = meetingsBy({ ...filters, from: view.pinned.from ?? filters.from ?? now }, at);
        if (csv) {
          const chunks = agendaCsvExport(agenda, query, view.at);
          return sendCsv(reply, bom, { name: 'agenda', position: view.at, chunks, release: exporting(request) });
        }
        const page = agenda.page(query, view.at, limit, PageCursors.after(agendaKey, view.after));
        const next = views.next(view, page.next, { from: query.from });
        // The lower bound applied, given or defaulted (null: the beginning), so an empty page explains itself.
        const from = query.from === undefined || query.from === '' ? null : query.from;
        return { position: view.at, ...noticeOf(view), from, meetings: page.meetings, next };
      },
    );

    app.get(
      '/v1/agenda.ics',
      {
        config: { access: ALL_READERS },
        schema: {
          tags,
          summary: 'The agenda as an iCalendar (RFC 5545) file',
          querystring: z.strictObject(agendaFilters),
        },
      },
      async (request, reply) => {
        const now = defaultAgendaFrom(request.query.at);
        const view = await views.view('agenda', request, reply, request.query, {
          format: 'ics',
          variant: request.query.from ?? now,
        });
        if (!view) return reply;
        const { from = now, at, ...rest } = request.query;
        const filters = meetingsBy(rest, at);
        const options = {
          productId: '-//meeting-ledger//agenda//EN',
          stampFor: (m: { updatedAt: string }) => m.updatedAt,
        };
        const chunks = agendaIcsExport(agenda, { ...filters, from }, view.at, options);
        return sendIcs(reply, { name: 'agenda', position: view.at, chunks, release: exporting(request) });
      },
    );

    app.get(
      '/v1/attendance',
      {
        config: { access: ALL_READERS },
        schema: {
          tags,
          summary: 'Attendance counts per participant, a page at a time (CSV: every participant and meeting)',
          querystring: attendanceQuery,
        },
      },
      async (request, reply) => {
        const csv = wantsCsv(request);
        const { limit, bom, ...query } = request.query;
        const view = await views.view('attendance', request, reply, request.query, {
          format: csv ? csvFormat(bom) : 'json',
        });
        if (!view) return reply;
        if (csv) {
          const chunks = attendanceCsvExport(attendance, query, view.at);
          return sendCsv(reply, bom, { name: 'attendance', position: view.at, chunks, release: exporting(request) });
        }
        const after = PageCursors.after(z.string(), view.after);
        const page = attendance.participants(query, view.at, limit, after);
        const participants = [];
        for (const participant of page.participants) {
          // Each count is a range scan over that participant's meetings: give the event loop a turn between them.
          participants.push(attendance.summary(participant, query, view.at));
          await yieldToEventLoop();
        }
        return { position: view.at, ...noticeOf(view), participants, next: views.next(view, page.next) };
      },
    );

    app.get(
      '/v1/attendance/:participantId',
      {
        config: { access: ALL_READERS },
        schema: {
          tags,
          summary: "One participant's counts and its meetings by start time, a page at a time",
          params: z.strictObject({ participantId: slug }),
          querystring: z.strictObject(attendanceFilters),
        },
      },
      async (request, reply) => {
        const { participantId } = request.params;
        const csv = wantsCsv(request);
        const { limit, bom, ...filters } = request.query;
        const view = await views.view('attendance', request, reply, request.query, {
          format: csv ? csvFormat(bom) : 'json',
        });
        if (!view) return reply;
        const query = { ...filters, participantId };
        const [participant] = attendance.participants(query, view.at, 1).participants;
        if (!participant) {
          throw new HttpProblem(
            404,
            'participant-not-found',
            'No such participant',
            `${participantId} has no attendance record`,
          );
        }
        if (csv) {
          const chunks = attendanceCsvExport(attendance, query, view.at);
          const name = `attendance-${participantId}`;
          return sendCsv(reply, bom, { name, position: view.at, chunks, release: exporting(request) });
        }
        const page = attendance.meetings(
          participantId,
          query,
          view.at,
          limit,
          PageCursors.after(agendaKey, view.after),
        );
        return {
          position: view.at,
          ...noticeOf(view),
          participant: attendance.summary(participant, query, view.at),
          meetings: page.meetings,
          next: views.next(view, page.next),
        };
      },
    );

    app.get(
      '/v1/timeline',
      {
        config: { access: ALL_READERS },
        schema: {
          tags,
          summary: 'Progress per theatre by business date, a page at a time',
          querystring: timelineQuery,
        },
      },
      async (request, reply) => {
        const csv = wantsCsv(request);
        const { limit, bom, at, ...filters } = request.query;
        const query = timelineOn(filters, at);
        const view = await views.view('timeline', request, reply, request.query, {
          format: csv ? csvFormat(bom) : 'json',
        });
        if (!view) return reply;
        if (csv) {
          const chunks = timelineCsvExport(timeline, query, view.at);
          return sendCsv(reply, bom, { name: 'timeline', position: view.at, chunks, release: exporting(request) });
        }
        const page = timeline.entries(query, view.at, limit, PageCursors.after(entryKey, view.after));
        return {
          position: view.at,
          ...noticeOf(view),
          entries: page.entries,
          theatres: timeline.theatres(query, view.at),
          next: views.next(view, page.next),
        };
      },
    );

    app.get(
      '/v1/projections',
      {
        config: { access: AUDITORS },
        schema: { tags, summary: 'Where each projection stands: position, lag, status' },
      },
      async () => ({ projections: await engine.report(store, new Date()) }),
    );
  };
