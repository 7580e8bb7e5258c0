/**
 * What each read answers, for the OpenAPI document only: these routes build their bodies
 * themselves (some stream CSV or iCalendar), so their schemas document the answer and never
 * serialize it. `tests/http/openapi.test.ts` checks every schema here against real answers.
 */
type Schema = Record<string, unknown>;

const text = { type: 'string' };
const orNull = (schema: Schema): Schema => ({ ...schema, nullable: true });
const integer = { type: 'integer', minimum: 0 };
const instant = { type: 'string', format: 'date-time' };
const object = (properties: Record<string, Schema>, required = Object.keys(properties)): Schema => ({
  type: 'object',
  properties,
  required,
});
const list = (items: Schema): Schema => ({ type: 'array', items });
const anyObject = { type: 'object', additionalProperties: true };
const cursor = orNull({ ...text, description: 'Pass as cursor for the next page; null on the last page' });

const event = object({
  position: integer,
  eventId: text,
  streamId: text,
  revision: integer,
  type: text,
  data: anyObject,
  metadata: anyObject,
  recordedAt: instant,
});

const meetingFields = {
  meetingId: text,
  title: text,
  forum: text,
  status: { type: 'string', enum: ['scheduled', 'rescheduled', 'cancelled', 'closed'] },
  location: text,
  host: orNull(text),
  startsAt: instant,
  endsAt: orNull(instant),
  agenda: list(anyObject),
  observers: list(anyObject),
  cancellationReason: orNull(text),
};

const checkpointNote = {
  ...text,
  description: 'The C2SP tlog-checkpoint note: origin, size, root, blank line, signature',
};

const checkpoint = object({
  treeSize: integer,
  position: integer,
  rootHash: text,
  text: checkpointNote,
  signature: text,
  publicKey: { ...text, description: 'PEM' },
  keyId: text,
});

/** An answer that is a JSON document, or one of the other media types a route can send. */
export type DocumentedAnswer = { status: number; description: string; content: Record<string, Schema> };

const json = (status: number, description: string, schema: Schema): DocumentedAnswer => ({
  status,
  description,
  content: { 'application/json': schema },
});
const csv = { 'text/csv': { ...text, description: 'RFC 4180, with a header row (Accept: text/csv)' } };
const withCsv = (answer: DocumentedAnswer): DocumentedAnswer => ({
  ...answer,
  content: { ...answer.content, ...csv },
});

/** Keyed by method and the route's URL as fastify knows it (`:id`, not `{id}`). */
export const documentedAnswers: Record<string, DocumentedAnswer> = {
  'GET /healthz': json(200, 'The process is up', object({ status: { type: 'string', enum: ['ok'] } })),
  'GET /readyz': json(200, 'Ready to serve', object({ status: { type: 'string', enum: ['ready'] } })),
  'GET /console/session': json(
    200,
    'Whether a console session is signed in, and as whom',
    object({ signedIn: { type: 'boolean' }, role: text, actor: text, detail: text }, ['signedIn']),
  ),
  'POST /console/session': json(
    200,
    'Signed in: the session cookie is set',
    object({ signedIn: { type: 'boolean' }, role: text, actor: text }, ['signedIn']),
  ),
  'DELETE /console/session': { status: 204, description: 'Signed out: the cookie is cleared', content: {} },
  'GET /v1/meetings/:id': json(200, 'The meeting folded from its stream', {
    ...object({
      ...meetingFields,
      attendance: list(anyObject),
      outcomes: list(anyObject),
      revision: integer,
    }),
  }),
  'GET /v1/meetings/:id/events': json(
    200,
    'A page of the stream',
    object({ events: list(event), next: orNull(integer) }),
  ),
  'GET /v1/events': json(200, 'A page of the log', object({ events: list(event), next: orNull(integer) })),
  'GET /v1/agenda': withCsv(
    json(
      200,
      'A page of meetings by start time',
      object({
        position: integer,
        from: orNull({
          ...instant,
          description: 'The lower bound of start times applied (given, or 30 days ago by default); null: the beginning',
        }),
        meetings: list(object({ ...meetingFields, sequence: integer, updatedAt: instant })),
        next: cursor,
      }),
    ),
  ),
  'GET /v1/agenda.ics': {
    status: 200,
    description: 'The agenda as an iCalendar file',
    content: { 'text/calendar': { ...text, description: 'RFC 5545' } },
  },
  'GET /v1/attendance': withCsv(
    json(
      200,
      'A page of attendance counts per participant',
      object({
        position: integer,
        participants: list(
          object({
            participantId: text,
            name: text,
            role: text,
            invited: integer,
            attended: integer,
            absent: integer,
            rate: orNull({ type: 'number' }),
          }),
        ),
        next: cursor,
      }),
    ),
  ),
  'GET /v1/attendance/:participantId': withCsv(
    json(
      200,
      "One participant's counts and a page of its meetings",
      object({ position: integer, participant: anyObject, meetings: list(anyObject), next: cursor }),
    ),
  ),
  'GET /v1/timeline': withCsv(
    json(
      200,
      'A page of progress entries per theatre by business date',
      object({ position: integer, entries: list(anyObject), theatres: list(anyObject), next: cursor }),
    ),
  ),
  'GET /v1/projections': json(
    200,
    'Where each projection stands',
    object({
      projections: list(
        object({
          name: text,
          version: integer,
          position: integer,
          lagEvents: integer,
          lagSeconds: orNull({ type: 'number' }),
          status: text,
        }),
      ),
    }),
  ),
  'GET /v1/events/live': {
    status: 200,
    description: 'Server-sent events: each `data:` line is one event of the log, its position the `id:`',
    content: { 'text/event-stream': { ...text, description: 'text/event-stream (WHATWG HTML, server-sent events)' } },
  },
  'GET /v1/audit/checkpoint': json(200, 'A signed checkpoint', checkpoint),
  'POST /v1/audit/checkpoint': json(201, 'The checkpoint signed now', checkpoint),
  'GET /v1/audit/checkpoints': json(
    200,
    'A page of the checkpoints the ledger kept, newest (largest tree size) first',
    object({
      checkpoints: list(
        object({
          treeSize: integer,
          position: { ...integer, description: 'The position of the last event the checkpoint covers' },
          rootHash: { ...text, description: 'hex' },
          signedAt: instant,
          text: checkpointNote,
        }),
      ),
      next: cursor,
    }),
  ),
  'GET /v1/audit/public-key': json(
    200,
    'The key checkpoints are signed with',
    object({ origin: text, keyId: text, publicKey: { ...text, description: 'PEM' } }),
  ),
  'GET /v1/audit/proofs/inclusion': json(
    200,
    'An RFC 9162 inclusion proof (hex hashes)',
    object({ leafIndex: integer, treeSize: integer, leafHash: text, auditPath: list(text) }),
  ),
  'GET /v1/audit/proofs/consistency': json(
    200,
    'An RFC 9162 consistency proof (hex hashes)',
    object({ from: integer, to: integer, proof: list(text) }),
  ),
  'GET /v1/audit/verify': json(
    200,
    'What the verification found (ok false names what failed)',
    object({ ok: { type: 'boolean' } }, ['ok']),
  ),
};
