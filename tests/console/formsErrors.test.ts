import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Problem } from '../../console/src/api.js';
import { placeIssues, placeProblem } from '../../console/src/formsErrors.js';
import { commandInputs } from '../../src/domain/meeting/commands.js';
import { post, schedule, smallGroup } from '../http/fixtures.js';
import { startTestApp, type TestApp } from '../http/testApp.js';

const OUTCOME_FIELDS = ['kind', 'summary', 'agendaItemId', 'theatre', 'stage', 'occurredOn'];

describe("placing the ledger's refusals on the console's form fields", () => {
  let t: TestApp;
  let meetingId: string;
  beforeAll(async () => {
    t = await startTestApp();
    meetingId = await schedule(t, smallGroup);
  });
  afterAll(async () => t.close());

  /** The problem document the real ledger answers `payload` with. */
  const refusal = async (path: string, payload: object): Promise<Problem> => {
    const response = await post(t, `/v1/meetings/${meetingId}${path}`, payload);
    expect(response.statusCode, response.body).toBeGreaterThanOrEqual(400);
    return response.json<Problem>();
  };

  it('puts a schema refusal at the field its JSON pointer names, and nothing at the top', async () => {
    const problem = await refusal('/outcomes', { kind: 'assessment', summary: 'Raqqa', theatre: 'Raqqa City' });
    const placed = placeProblem(problem, OUTCOME_FIELDS);
    expect(placed.byField.get('theatre')).toContain('lower-case slug');
    expect(placed.general).toEqual([]);
  });

  it('puts a refusal of one agenda line at the agenda field', async () => {
    const response = await post(t, '/v1/meetings', { ...smallGroup, agenda: [{ title: 'Mosul' }, { title: ' ' }] });
    const placed = placeProblem(response.json<Problem>(), ['title', 'agenda']);
    expect(placed.byField.get('agenda')).toBe('must not be blank');
  });

  it('puts a rule of the ledger at the field it names', async () => {
    const problem = await refusal('/outcomes', { kind: 'decision', summary: 'Next', agendaItemId: 'no-such-item' });
    expect(placeProblem(problem, OUTCOME_FIELDS).byField.get('agendaItemId')).toContain('has no agenda item');
  });

  it('puts a rule at the field named like the value it refused', async () => {
    const problem = await refusal('/attendance', { participantId: 'atlantis', status: 'present' });
    expect(placeProblem(problem, ['participantId', 'status']).byField.get('participantId')).toContain(
      'atlantis is neither an admitted member',
    );
  });

  it('puts a refusal of the path at the field that fills it', async () => {
    const problem = await refusal('/outcomes/not-an-outcome/retract', { reason: 'Wrong' });
    expect(placeProblem(problem, ['outcomeId', 'reason']).byField.get('outcomeId')).toContain('ULID');
  });

  it('shows at the top a refusal that names no field of the form', async () => {
    expect((await post(t, `/v1/meetings/${meetingId}/close`, {})).statusCode).toBe(200);
    const problem = await refusal('/agenda-items', { title: 'Too late' });
    const placed = placeProblem(problem, ['title', 'itemId']);
    expect(placed.byField.size).toBe(0);
    expect(placed.general).toEqual([expect.stringContaining('takes no further changes')]);
  });
});

describe("placing the browser's own check", () => {
  it('puts zod issues at their fields, and one about the whole command at the top', () => {
    const outcome = commandInputs.RecordOutcome.safeParse({ kind: 'rumour', summary: ' ' });
    const placed = placeIssues(outcome.error?.issues ?? [], OUTCOME_FIELDS);
    expect([...placed.byField.keys()].sort()).toEqual(['kind', 'summary']);
    const amendment = commandInputs.AmendOutcome.safeParse({ reason: 'Typo' });
    expect(placeIssues(amendment.error?.issues ?? [], ['summary', 'stage', 'theatre', 'reason']).general).toEqual([
      'an amendment changes at least one of summary, stage and theatre',
    ]);
  });
});
